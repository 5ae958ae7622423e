import Decimal from 'decimal.js'
import { wallTime } from '../../shared/calendar'
import { MONEY_ROUNDING } from '../../shared/money'
import type { LedgerAccountKind } from '../ledger/chart'
import type { LedgerAccountRow, LedgerTransferRow } from '../store/ports'

// Revenue from the relay's ledger, per currency and calendar bucket (day, month or year in the
// billing time zone): every figure is a sum of transfers on accounts of one kind, so the report
// over all time equals the accounts' posted balances (what relay:verify checks), to the unit.
//   gross      credits less debits of revenue accounts (plans at list price, paid uses)
//   discounts  coupons; refunds: subscription money given back; promotions: first-free uses and
//              recharge bonuses — each debits less credits of its contra-revenue account
//   net        gross − discounts − refunds − promotions
//   tax        credits less debits of tax payable (VAT the invoices booked out of revenue)
//   providers  money in at each provider (debits less credits of its clearing account)
//   plans      gross by plan and period
//   arpu       net ÷ the accounts whose transfers credited revenue in the range
// Wallet liability (prepaid money and promotion credit not spent yet) is a balance: the posted
// sums less what was posted at or after the report's end (balancesAt), so the walk reads only the
// report's own range.

export type { Bucket, RevenueLine, RevenueReport } from '../../shared/console/reports'
import type { Bucket, RevenueLine, RevenueReport } from '../../shared/console/reports'

const empty = (): RevenueLine => ({ gross: 0, discounts: 0, refunds: 0, promotions: 0, net: 0, tax: 0 })

/** The field an account kind adds to, and the sign of a debit on it. */
const LINE: Partial<Record<LedgerAccountKind, [keyof RevenueLine, 1 | -1]>> = {
  revenue_plan: ['gross', -1],
  revenue_usage: ['gross', -1],
  discounts: ['discounts', 1],
  refunds: ['refunds', 1],
  promotion: ['promotions', 1],
  tax_payable: ['tax', -1]
}

export function bucketKey(at: number, bucket: Bucket, timeZone: string): string {
  const w = wallTime(at, timeZone)
  const mm = String(w.month).padStart(2, '0')
  if (bucket === 'year') return String(w.year)
  if (bucket === 'month') return `${w.year}-${mm}`
  return `${w.year}-${mm}-${String(w.day).padStart(2, '0')}`
}

/** Builds the report from transfers made before `to` (in posting order, in pages: call `add` for each). */
export class RevenueReportBuilder {
  private readonly kinds: Map<string, { kind: LedgerAccountKind; currency: string }>
  private readonly report: RevenueReport
  private readonly keys = new Map<number, string>()
  private readonly earning = new Map<string, Set<string>>()

  constructor(accounts: LedgerAccountRow[], opts: { from: number; to: number; bucket: Bucket; timeZone: string }) {
    this.kinds = new Map(accounts.map((a) => [a.id, { kind: a.kind as LedgerAccountKind, currency: a.currency }]))
    this.report = { ...opts, periods: {}, totals: {}, providers: {}, plans: {}, walletLiability: {}, arpu: {} }
  }

  /** Whether every account the transfer names is known (an account opened during the walk is not yet). */
  knows(t: LedgerTransferRow): boolean {
    return this.kinds.has(t.debitAccountId) && this.kinds.has(t.creditAccountId)
  }

  learn(accounts: LedgerAccountRow[]): void {
    for (const a of accounts) this.kinds.set(a.id, { kind: a.kind as LedgerAccountKind, currency: a.currency })
  }

  add(t: LedgerTransferRow): void {
    for (const [accountId, debit] of [
      [t.debitAccountId, true],
      [t.creditAccountId, false]
    ] as const) {
      const account = this.kinds.get(accountId)
      if (!account) throw new Error(`transfer ${t.id} names account ${accountId}, which the ledger does not hold`)
      const amount = debit ? t.amount : -t.amount
      if (t.at < this.report.from || t.at >= this.report.to) continue
      const line = LINE[account.kind]
      if (line) {
        const [field, sign] = line
        const key = this.key(t.at)
        const period = ((this.report.periods[t.currency] ??= {})[key] ??= empty())
        const total = (this.report.totals[t.currency] ??= empty())
        period[field] += sign * amount
        total[field] += sign * amount
        if (field === 'gross' && !debit && t.customerAccountId) {
          const set = this.earning.get(t.currency) ?? new Set<string>()
          set.add(t.customerAccountId)
          this.earning.set(t.currency, set)
        }
        if (account.kind === 'revenue_plan') {
          const plan = accountId.split(':').slice(2, 4).join(':')
          const plans = (this.report.plans[t.currency] ??= {})
          plans[plan] = (plans[plan] ?? 0) - amount
        }
      }
      if (account.kind === 'provider_clearing') {
        const provider = accountId.split(':')[1]!
        const providers = (this.report.providers[t.currency] ??= {})
        providers[provider] = (providers[provider] ?? 0) + amount
      }
    }
  }

  /** The bucket of an instant, computed once per minute: every zone's offset is whole minutes, so a bucket starts on one. */
  private key(at: number): string {
    const minute = Math.floor(at / 60_000)
    let k = this.keys.get(minute)
    if (k === undefined) {
      if (this.keys.size > 10_000) this.keys.clear()
      k = bucketKey(at, this.report.bucket, this.report.timeZone)
      this.keys.set(minute, k)
    }
    return k
  }

  /** The wallets' and promotion credit's balances as of the end: posted sums less `since` (posted at or after it). */
  balancesAt(accounts: LedgerAccountRow[], since: { accountId: string; debits: number; credits: number }[]): void {
    const later = new Map(since.map((m) => [m.accountId, m]))
    for (const a of accounts) {
      if (a.kind !== 'customer_wallet' && a.kind !== 'promotion_credit') continue
      const m = later.get(a.id)
      const balance = Number(a.creditsPosted) - Number(a.debitsPosted) - ((m?.credits ?? 0) - (m?.debits ?? 0))
      const l = (this.report.walletLiability[a.currency] ??= { wallets: 0, promotionCredit: 0 })
      l[a.kind === 'customer_wallet' ? 'wallets' : 'promotionCredit'] += balance
    }
  }

  result(): RevenueReport {
    for (const lines of [...Object.values(this.report.periods).flatMap((p) => Object.values(p)), ...Object.values(this.report.totals)]) {
      lines.net = lines.gross - lines.discounts - lines.refunds - lines.promotions
    }
    for (const [currency, accounts] of this.earning) {
      const net = this.report.totals[currency]?.net ?? 0
      this.report.arpu[currency] = { accounts: accounts.size, arpu: new Decimal(net).dividedBy(accounts.size).toDecimalPlaces(0, MONEY_ROUNDING).toNumber() }
    }
    return this.report
  }
}
