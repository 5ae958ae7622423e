import { performance, type EventLoopUtilization } from 'node:perf_hooks'

// The share of time the relay's event loop was busy, over the last complete window, for
// /health. The event loop is the relay's bound on notifications per second (docs/performance.md,
// "The event loop is the bound"): near 1, notifications queue and the reply latency grows, so
// this is the figure an operator scales on. Read from Node's own accounting, no sampling cost
// per request.

/** performance.eventLoopUtilization's contract: no argument → totals; (a, b) → a − b. */
type Sample = (a?: EventLoopUtilization, b?: EventLoopUtilization) => EventLoopUtilization

export class EventLoopLoad {
  private timer: NodeJS.Timeout | undefined
  private mark: EventLoopUtilization
  private last: number | undefined

  constructor(
    private readonly windowMs = 10_000,
    /** performance.eventLoopUtilization; tests pass their own. */
    private readonly sample: Sample = (a, b) => performance.eventLoopUtilization(a, b)
  ) {
    this.mark = this.sample()
  }

  start(): void {
    if (this.timer) return
    this.mark = this.sample()
    this.timer = setInterval(() => this.roll(), this.windowMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Ends the current window (the timer calls this every `windowMs`). */
  roll(): void {
    const now = this.sample()
    this.last = this.sample(now, this.mark).utilization
    this.mark = now
  }

  /**
   * The last complete window's busy share in [0, 1], to three decimals (a ratio for operators,
   * never money); before the first window closes, the share since start.
   */
  utilization(): number {
    const u = this.last ?? this.sample(this.sample(), this.mark).utilization
    return Math.round(Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * 1000) / 1000
  }
}
