import { appendFileSync } from 'node:fs'

// Opt-in counters of the PostgreSQL store (RELAY_PG_STATS=1: one JSON line on stderr at exit;
// RELAY_PG_STATS=<file>: appended to that file). For measuring where a unit's time goes: runs,
// re-runs by conflict or unique key, statements, pool wait and time inside units. Off (the
// default), `pgStats` is undefined and every call site is one `?.`, nothing else.

interface Kind {
  units: number
  runs: number
  conflictReruns: number
  uniqueReruns: number
  statements: number
  roundTrips: number
  poolWaitMs: number
  insideMs: number
  maxInsideMs: number
}

class PgStats {
  private readonly kinds = new Map<string, Kind>()
  private readonly texts = new Map<string, number>()

  kind(name: string): Kind {
    let k = this.kinds.get(name)
    if (!k) this.kinds.set(name, (k = { units: 0, runs: 0, conflictReruns: 0, uniqueReruns: 0, statements: 0, roundTrips: 0, poolWaitMs: 0, insideMs: 0, maxInsideMs: 0 }))
    return k
  }

  statement(text: string): void {
    const key = text.replace(/\s+/g, ' ').slice(0, 90)
    this.texts.set(key, (this.texts.get(key) ?? 0) + 1)
  }

  report(): string {
    const kinds = Object.fromEntries(
      [...this.kinds].map(([name, k]) => [
        name,
        { ...k, poolWaitMs: Math.round(k.poolWaitMs), insideMs: Math.round(k.insideMs), meanInsideMs: k.runs ? +(k.insideMs / k.runs).toFixed(2) : 0, maxInsideMs: Math.round(k.maxInsideMs) }
      ])
    )
    const top = [...this.texts].sort((a, b) => b[1] - a[1]).slice(0, 40)
    // One audit row per notification event: what the per-notification figures divide by.
    const notifications = [...this.texts].filter(([t]) => t.startsWith('INSERT INTO notification_log')).reduce((a, [, n]) => a + n, 0)
    return JSON.stringify({ pid: process.pid, notifications, kinds, statements: Object.fromEntries(top) })
  }
}

const setting = process.env['RELAY_PG_STATS']
export const pgStats: PgStats | undefined = setting ? new PgStats() : undefined

if (pgStats) {
  process.on('exit', () => {
    const line = `relay-pg-stats ${pgStats.report()}\n`
    if (setting === '1') process.stderr.write(line)
    else appendFileSync(setting!, line)
  })
}
