import type { Clock } from '../../node/clock'
import { RateLimited } from './errors'

// Fixed windows (one minute unless told) per key (device id or remote address), in memory:
// one relay process owns its limits. Enough to blunt a runaway client; not a distributed limiter.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly perWindow: number,
    private readonly clock: Clock,
    private readonly windowMs = 60_000
  ) {}

  /** Counts one request for `key`; throws RateLimited beyond the limit. */
  hit(key: string): void {
    const w = this.add(key)
    if (w.count > this.perWindow) throw this.limited(w)
  }

  /** Throws RateLimited when `key` has used its window up, without counting (failures counted by add). */
  check(key: string): void {
    const w = this.current(key)
    if (w && w.count >= this.perWindow) throw this.limited(w)
  }

  /** Counts one for `key` without refusing this one. */
  add(key: string): { start: number; count: number } {
    const now = this.clock.now()
    let w = this.current(key)
    if (!w) {
      if (this.windows.size > 50_000) this.sweep(now)
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    w.count++
    return w
  }

  private current(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key)
    return w && this.clock.now() - w.start < this.windowMs ? w : undefined
  }

  private limited(w: { start: number }): RateLimited {
    return new RateLimited(Math.max(1, Math.ceil((w.start + this.windowMs - this.clock.now()) / 1000)))
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k)
  }
}
