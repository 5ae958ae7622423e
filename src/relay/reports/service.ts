import type { Clock } from '../../node/clock'
import { InvalidInput } from '../../shared/errors'
import type { RelayStore } from '../store/ports'
import { minor, reportCsv, type CsvColumn, type CsvLang } from './csv'
import { RevenueReportBuilder, type Bucket, type RevenueLine, type RevenueReport } from './revenue'

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

/** Shared by every report CSV whose rows are revenue lines (revenue, statement). */
export const LINE_COLUMNS: CsvColumn<RevenueLine>[] = [
  { zh: '收入总额', en: 'gross', value: (l) => minor(l.gross) },
  { zh: '优惠券折扣', en: 'discounts', value: (l) => minor(l.discounts) },
  { zh: '退款', en: 'refunds', value: (l) => minor(l.refunds) },
  { zh: '促销', en: 'promotions', value: (l) => minor(l.promotions) },
  { zh: '净收入', en: 'net', value: (l) => minor(l.net) },
  { zh: '税额', en: 'tax', value: (l) => minor(l.tax) }
]

type PeriodRow = RevenueLine & { currency: string; period: string }

/** The report's periods as CSV for Excel (csv.ts: BOM, major units, the header in `lang`). */
export function revenueCsv(report: RevenueReport, lang: CsvLang): string {
  const rows: PeriodRow[] = []
  for (const [currency, periods] of Object.entries(report.periods).sort()) {
    for (const [period, l] of Object.entries(periods).sort()) rows.push({ ...l, currency, period })
  }
  const columns: CsvColumn<PeriodRow>[] = [{ zh: '币种', en: 'currency', value: (r) => r.currency }, { zh: '期间', en: 'period', value: (r) => r.period }, ...LINE_COLUMNS]
  return reportCsv(columns, rows, lang)
}
