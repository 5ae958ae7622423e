import type { Clock } from '../../node/clock'
import { RateLimited } from './errors'

// Fixed windows (one minute unless told) per key (device id or remote address), in memory:
// one relay process owns its limits. Enough to blunt a runaway client; not a distributed limiter.
//
// Keys live in two generations, each spanning at least one window: a key's window starts at
// its first hit and is found in the current generation or the previous one. When the current
// generation is a window old it becomes the previous one and the old previous one is dropped
// whole: every window in it has ended by then. So a hit is a constant number of Map
// operations, however many distinct keys arrive (a scan per new key cost 1.6 ms at 50,000).
// A generation also turns when it holds `maxKeys`: memory stays bounded under a flood of
// distinct addresses, at the price of forgetting the oldest generation's counts early.

type Window = { start: number; count: number }

export const DEFAULT_MAX_KEYS = 100_000

export class RateLimiter {
  private current = new Map<string, Window>()
  private previous = new Map<string, Window>()
  private generationStart: number

  constructor(
    private readonly perWindow: number,
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
    private readonly maxKeys = DEFAULT_MAX_KEYS
  ) {
    this.generationStart = clock.now()
  }

  /** Counts one request for `key`; throws RateLimited beyond the limit. */
  hit(key: string): void {
    const w = this.add(key)
    if (w.count > this.perWindow) throw this.limited(w)
  }

  /** Throws RateLimited when `key` has used its window up, without counting (failures counted by add). */
  check(key: string): void {
    const w = this.window(key, this.clock.now())
    if (w && w.count >= this.perWindow) throw this.limited(w)
  }

  /** Counts one for `key` without refusing this one. */
  add(key: string): Window {
    const now = this.clock.now()
    this.turn(now)
    let w = this.window(key, now)
    if (!w) {
      if (this.current.size >= this.maxKeys) this.rotate(now)
      w = { start: now, count: 0 }
      this.current.set(key, w)
    }
    w.count++
    return w
  }

  /** Keys held (both generations): what bounds this limiter's memory, at most 2 × maxKeys. */
  get size(): number {
    return this.current.size + this.previous.size
  }

  /** The key's window if it is still running (a window found in the previous generation stays there). */
  private window(key: string, now: number): Window | undefined {
    const w = this.current.get(key) ?? this.previous.get(key)
    return w && now - w.start < this.windowMs ? w : undefined
  }

  private turn(now: number): void {
    if (now - this.generationStart < this.windowMs) return
    // Two windows without a hit: both generations are over.
    if (now - this.generationStart >= 2 * this.windowMs) this.current = new Map()
    this.rotate(now)
  }

  private rotate(now: number): void {
    this.previous = this.current
    this.current = new Map()
    this.generationStart = now
  }

  private limited(w: { start: number }): RateLimited {
    return new RateLimited(Math.max(1, Math.ceil((w.start + this.windowMs - this.clock.now()) / 1000)))
  }
}
