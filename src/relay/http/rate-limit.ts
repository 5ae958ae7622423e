import type { Clock } from '../../node/clock'
import { RateLimited } from './errors'

// Fixed one-minute windows per key (device id or remote address), in memory: one relay
// process owns its limits. Enough to blunt a runaway client; not a distributed limiter.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock
  ) {}

  /** Counts one request for `key`; throws RateLimited beyond the limit. */
  hit(key: string): void {
    const now = this.clock.now()
    let w = this.windows.get(key)
    if (!w || now - w.start >= 60_000) {
      if (this.windows.size > 50_000) this.sweep(now)
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    w.count++
    if (w.count > this.perMinute) throw new RateLimited(Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000)))
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k)
  }
}
