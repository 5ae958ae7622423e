import type { Clock } from '../../node/clock'
import { fromWallTime } from '../../shared/calendar'
import type { ConsoleStatement } from '../../shared/console/api'
import { InvalidInput } from '../../shared/errors'
import { PROVIDERS } from '../../shared/catalog/providers'
import type { RelayStore } from '../store/ports'
import { minor, reportCsv, type CsvColumn, type CsvLang } from './csv'
import { mrrAt } from './mrr'
import { LINE_COLUMNS, revenueReport } from './service'

// The monthly and annual financial statement: the revenue report (revenue.ts) over one calendar
// month or year in the billing time zone, bucketed by that period, plus the MRR of the grants
// running at its last instant. Nothing is summed here that the revenue report does not sum, so
// the months of a year add up to the year, and all months to the ledger's balances. A period
// still running ends now (the revenue report clamps `to`); one not begun yet is refused.

export type StatementBucket = ConsoleStatement['bucket']
type Entry = ConsoleStatement['currencies'][string]

const PERIOD: Record<StatementBucket, RegExp> = { month: /^(\d{4})-(0[1-9]|1[0-2])$/, year: /^(\d{4})$/ }

/** The instants [from, to) of "2026-12" (month) or "2026" (year) in `timeZone`. */
export function statementBounds(bucket: StatementBucket, period: string, timeZone: string): { from: number; to: number } {
  const m = PERIOD[bucket].exec(period)
  const year = m ? Number(m[1]) : NaN
  if (!m || year < 1970) {
    throw new InvalidInput(bucket === 'month' ? 'period must be a month as YYYY-MM (2026-12)' : 'period must be a year as YYYY (2026)', { field: 'period', bucket, period })
  }
  const at = (y: number, month: number) => fromWallTime({ year: y, month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone)
  if (bucket === 'year') return { from: at(year, 1), to: at(year + 1, 1) }
  const month = Number(m[2])
  return { from: at(year, month), to: month === 12 ? at(year + 1, 1) : at(year, month + 1) }
}

export async function statement(store: RelayStore, clock: Clock, opts: { bucket: StatementBucket; period: string; timeZone: string }): Promise<ConsoleStatement> {
  const { from, to } = statementBounds(opts.bucket, opts.period, opts.timeZone)
  if (from > clock.now()) throw new InvalidInput(`the period ${opts.period} has not begun yet`, { field: 'period', period: opts.period })
  const report = await revenueReport(store, clock, { from, to, bucket: opts.bucket, timeZone: opts.timeZone })
  const end = report.to - 1
  const mrr = mrrAt(end, await store.read(async (tx) => tx.grants.runningAt(end))).mrr
  const currencies: ConsoleStatement['currencies'] = {}
  const keys = new Set([...Object.keys(report.totals), ...Object.keys(report.providers), ...Object.keys(report.walletLiability), ...Object.keys(mrr)])
  for (const currency of [...keys].sort()) {
    const line = report.totals[currency] ?? { gross: 0, discounts: 0, refunds: 0, promotions: 0, net: 0, tax: 0 }
    currencies[currency] = {
      ...line,
      providers: report.providers[currency] ?? {},
      walletLiability: report.walletLiability[currency] ?? { wallets: 0, promotionCredit: 0 },
      mrrAtEnd: mrr[currency] ?? 0
    }
  }
  return { bucket: opts.bucket, period: opts.period, from, to: report.to, timeZone: opts.timeZone, currencies }
}

type StatementRow = Entry & { currency: string; period: string }

const PROVIDER_NAMES: Record<string, string> = { alipay: '支付宝', wechat: '微信支付', stripe: 'Stripe', paypal: 'PayPal' }

/** One row per currency: the revenue lines, money in per provider (every provider a column), the liability and MRR at the end. */
export function statementCsv(s: ConsoleStatement, lang: CsvLang): string {
  const columns: CsvColumn<StatementRow>[] = [
    { zh: '币种', en: 'currency', value: (r) => r.currency },
    { zh: '期间', en: 'period', value: (r) => r.period },
    ...LINE_COLUMNS,
    ...PROVIDERS.map((p): CsvColumn<StatementRow> => ({ zh: `收款-${PROVIDER_NAMES[p] ?? p}`, en: `money in: ${p}`, value: (r) => minor(r.providers[p] ?? 0) })),
    { zh: '期末钱包余额', en: 'wallets at end', value: (r) => minor(r.walletLiability.wallets) },
    { zh: '期末赠送余额', en: 'promotion credit at end', value: (r) => minor(r.walletLiability.promotionCredit) },
    { zh: '期末月经常性收入', en: 'MRR at end', value: (r) => minor(r.mrrAtEnd) }
  ]
  return reportCsv(columns, Object.entries(s.currencies).map(([currency, e]) => ({ ...e, currency, period: s.period })), lang)
}
