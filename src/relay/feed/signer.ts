import type { Feed } from './feed'

// Signs the feed's backlog while the relay is idle, so that neither a notification (which
// stores its record unsigned) nor the device reading the feed later pays for Ed25519. "Idle":
// no request began in the last `idleMs`. Work goes in slices of `slice` records, one per turn
// of the event loop, and stops as soon as a request arrives; what is left waits for the next
// quiet moment (or is signed by the page that serves it, as before).

export interface FeedSignerOptions {
  /** Quiet time before signing starts. */
  idleMs?: number
  /** How often to look for a quiet moment. */
  intervalMs?: number
  /** Records per slice (one Ed25519 signature each). */
  slice?: number
  /** A monotonic clock in ms; tests pass their own. */
  now?: () => number
}

export class FeedSigner {
  private lastRequestAt = -Infinity
  private timer: NodeJS.Timeout | undefined
  private running = false
  private stopped = false
  /** Settles when the slice in flight (if any) has stored its signatures. */
  private current: Promise<void> = Promise.resolve()
  private readonly idleMs: number
  private readonly intervalMs: number
  private readonly slice: number
  private readonly now: () => number

  constructor(
    private readonly feed: Feed,
    opts: FeedSignerOptions = {}
  ) {
    this.idleMs = opts.idleMs ?? 200
    this.intervalMs = opts.intervalMs ?? 100
    this.slice = opts.slice ?? 100
    this.now = opts.now ?? (() => performance.now())
  }

  /** Called at the start of every request: signing yields to traffic. */
  touch(): void {
    this.lastRequestAt = this.now()
  }

  start(): void {
    this.stopped = false
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref()
  }

  /** No new slice starts; resolves once the slice in flight has been stored. */
  stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    this.timer = undefined
    return this.current
  }

  /** One look: signs slices while the relay stays idle and a backlog remains. */
  tick(): void {
    if (this.running || !this.feed.mayHaveBacklog || !this.idle()) return
    this.running = true
    let finished: () => void = () => undefined
    this.current = new Promise<void>((resolve) => (finished = resolve))
    const end = () => {
      this.running = false
      finished()
    }
    const step = async () => {
      try {
        if (this.stopped || !this.idle() || (await this.feed.signBacklog(this.slice)) < this.slice) {
          end()
          return
        }
      } catch {
        // A failed slice (disk full, closing) is retried on a later tick.
        end()
        return
      }
      setImmediate(() => void step())
    }
    void step()
  }

  private idle(): boolean {
    return this.now() - this.lastRequestAt >= this.idleMs
  }
}
