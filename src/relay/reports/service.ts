import type { Clock } from '../../node/clock'
import { InvalidInput } from '../../shared/errors'
import type { RelayStore } from '../store/ports'
import { RevenueReportBuilder, type Bucket, type RevenueReport } from './revenue'

// The revenue report over the store: the ledger's accounts and what was posted after the end (for
// the balances), then the range's transfers in pages (each a read of its own, so no read holds a
// snapshot for the whole walk). The end is clamped to now: transfers posted during the walk are
// later than it and do not count.

const PAGE = 5_000
/** The last instant a Date holds: "no end". */
export const END_OF_TIME = 8_640_000_000_000_000
const MAX_BUCKETS: Record<Bucket, number> = { day: 3_700, month: 1_200, year: 200 }

export async function revenueReport(
  store: RelayStore,
  clock: Clock,
  opts: { from: number; to?: number; bucket: Bucket; timeZone: string }
): Promise<RevenueReport> {
  const to = Math.min(opts.to ?? END_OF_TIME, clock.now() + 1)
  if (!Number.isSafeInteger(opts.from) || opts.from < 0 || opts.from >= to) throw new InvalidInput('from must be an instant (ms) before to', { field: 'from' })
  const span = (to - opts.from) / (opts.bucket === 'day' ? 86_400_000 : opts.bucket === 'month' ? 28 * 86_400_000 : 365 * 86_400_000)
  if (opts.to !== undefined && span > MAX_BUCKETS[opts.bucket]) {
    throw new InvalidInput(`that range has too many ${opts.bucket}s; choose a wider bucket or a shorter range`, { field: 'bucket' })
  }
  // The balances in one read, so the posted sums and what came after `to` agree.
  const [accounts, since] = await store.read(async (tx) => [await tx.ledger.accounts(), await tx.ledger.postedSince(to)] as const)
  const builder = new RevenueReportBuilder(accounts, { from: opts.from, to, bucket: opts.bucket, timeZone: opts.timeZone })
  builder.balancesAt(accounts, since)
  let after = 0
  for (;;) {
    const page = await store.read(async (tx) => tx.ledger.transfersPage(after, opts.from, to, PAGE))
    // Another instance's clock may run behind: a transfer before `to` on an account opened since.
    if (!page.every((t) => builder.knows(t))) builder.learn(await store.read(async (tx) => tx.ledger.accounts()))
    for (const t of page) builder.add(t)
    if (page.length < PAGE) break
    after = page.at(-1)!.seq
  }
  return builder.result()
}

const CSV_HEAD = ['currency', 'period', 'gross', 'discounts', 'refunds', 'promotions', 'net', 'tax']

/** The report's periods as CSV for Excel (UTF-8 with BOM, amounts in minor units). */
export function revenueCsv(report: RevenueReport): string {
  const lines = [CSV_HEAD.join(',')]
  for (const [currency, periods] of Object.entries(report.periods).sort()) {
    for (const [key, l] of Object.entries(periods).sort()) lines.push([currency, key, l.gross, l.discounts, l.refunds, l.promotions, l.net, l.tax].join(','))
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
