import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, InvalidInput, NotFound } from '../../shared/errors'
import type { PaymentProvider, ProviderName } from '../providers/types'
import { audit, type Actor } from '../console/audit'
import type { ReconciliationDifferenceRow, ReconciliationRunRow, RelayStore } from '../store/ports'
import { parseAlipayBill, parseWechatBill, type BillLine } from './bills'
import { matchBill } from './match'

// Importing a provider's trade bill: parsed (bills.ts), the relay's side read for the orders and
// refunds it names and for the bill's period, matched (match.ts), and the run with every
// difference stored in one unit with its audit entry. Differences are resolved one by one with
// a reason; nothing here changes the books (a refund missing here arrives by its notification,
// or the operator acts on it).

const DAY_MS = 86_400_000

const PARSERS: Record<'alipay' | 'wechat', (text: string) => BillLine[]> = { alipay: parseAlipayBill, wechat: parseWechatBill }

export class Reconciliation {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly providers: ReadonlyMap<ProviderName, PaymentProvider> = new Map()
  ) {}

  /**
   * Fetches one day's trade bill through the provider's bill API (where it is configured) and
   * imports it for that day (00:00–24:00 China time, the providers' billing day).
   */
  async fetchBill(input: { provider: string; date: string }, actor: Actor): Promise<{ run: ReconciliationRunRow; differences: ReconciliationDifferenceRow[] }> {
    if (input.provider !== 'alipay' && input.provider !== 'wechat') throw new InvalidInput('bills can be fetched from alipay and wechat', { field: 'provider' })
    const from = /^\d{4}-\d{2}-\d{2}$/.test(input.date) ? Date.parse(`${input.date}T00:00:00+08:00`) : NaN
    if (!Number.isFinite(from) || new Date(from + 8 * 3600_000).toISOString().slice(0, 10) !== input.date) {
      throw new InvalidInput('the bill’s day as YYYY-MM-DD, such as 2026-12-06', { field: 'date' })
    }
    if (from + DAY_MS > this.clock.now()) throw new InvalidInput('a day’s bill exists only after the day has ended (China time); pick an earlier day', { field: 'date' })
    const provider = this.providers.get(input.provider)
    if (!provider?.tradeBill) {
      throw new BillingError('METHOD_UNAVAILABLE', `${input.provider} is not configured on this relay: upload its bill instead`, { method: input.provider })
    }
    const csv = await provider.tradeBill(input.date)
    return this.importBill({ provider: input.provider, csv, from, to: from + DAY_MS }, actor)
  }

  private get auditDeps() {
    return { ids: this.ids, now: () => this.clock.now() }
  }

  async importBill(input: { provider: string; csv: string; from: number; to: number }, actor: Actor): Promise<{ run: ReconciliationRunRow; differences: ReconciliationDifferenceRow[] }> {
    if (input.provider !== 'alipay' && input.provider !== 'wechat') throw new InvalidInput('bills can be imported from alipay and wechat', { field: 'provider' })
    if (!Number.isSafeInteger(input.from) || !Number.isSafeInteger(input.to) || input.from >= input.to) throw new InvalidInput('the bill’s period: from before to (ms)', { field: 'from' })
    const provider = input.provider
    const lines = PARSERS[provider](input.csv)
    const orderNos = [...new Set(lines.filter((l) => l.kind === 'payment').map((l) => l.orderNo))]
    const refundIds = [...new Set(lines.flatMap((l) => (l.refundId ? [l.refundId] : [])))]
    const [paid, refunds] = await this.store.read(async (tx) => [
      await tx.reconciliation.paidOrders(provider, orderNos, input.from, input.to),
      await tx.reconciliation.refunds(provider, refundIds, input.from, input.to)
    ])
    const found = matchBill(lines, {
      paid: new Map(paid.map((p) => [p.orderNo, p.amount])),
      paidInPeriod: new Set(paid.filter((p) => p.inPeriod).map((p) => p.orderNo)),
      refunds: new Map(refunds.map((r) => [r.refundId, { orderNo: r.orderNo, amount: r.amount }])),
      refundsInPeriod: new Set(refunds.filter((r) => r.inPeriod).map((r) => r.refundId))
    })
    const now = this.clock.now()
    const run: ReconciliationRunRow = {
      id: `rec_${this.ids.next()}`,
      provider,
      periodFrom: input.from,
      periodTo: input.to,
      lines: lines.length,
      differences: found.length,
      importedAt: now,
      importedBy: actor.name
    }
    const differences = found.map((d, i): ReconciliationDifferenceRow => ({
      id: `${run.id}:${String(i + 1).padStart(6, '0')}`,
      runId: run.id,
      provider,
      ...d,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null
    }))
    await this.store.unit(async (tx) => {
      await tx.reconciliation.insertRun(run)
      for (const d of differences) await tx.reconciliation.insertDifference(d)
      await audit(tx, this.auditDeps, actor, 'reconciliation.import', run.id, { after: { provider, lines: lines.length, differences: found.length } })
    })
    return { run, differences }
  }

  async resolve(id: string, reason: string, actor: Actor): Promise<ReconciliationDifferenceRow> {
    const why = (reason ?? '').trim()
    if (why.length < 3 || why.length > 500) throw new InvalidInput('say how it was resolved, in 3–500 characters', { field: 'reason' })
    return this.store.unit(async (tx) => {
      const d = await tx.reconciliation.difference(id)
      if (!d) throw new NotFound('difference', id)
      const now = this.clock.now()
      if (await tx.reconciliation.resolve(id, actor.name, why, now)) {
        await audit(tx, this.auditDeps, actor, 'reconciliation.resolve', id, { before: { resolved: false }, after: { resolution: why } })
        return { ...d, resolvedAt: now, resolvedBy: actor.name, resolution: why }
      }
      return d
    })
  }

  runs(limit = 50): Promise<ReconciliationRunRow[]> {
    return this.store.read(async (tx) => tx.reconciliation.runs(limit))
  }

  differences(runId: string): Promise<ReconciliationDifferenceRow[]> {
    return this.store.read(async (tx) => tx.reconciliation.differences(runId))
  }
}
