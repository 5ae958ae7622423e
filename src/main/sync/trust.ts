import type { Clock } from '../../node/clock'
import type { SyncStore } from './store'

// What the device may believe offline. Two sticky warnings hold until the next successful
// sync: `clock_moved_back` (the wall clock went back further than the tolerance below the
// highest reading seen) and `ledger_tampered` (the wallet's hash chain or a stored lease
// failed verification). While either holds, paid use stops and the quotas fall back to FREE.
// Time for lease checks never goes back: max(clock, highest reading) + the relay's skew.

export type StickyWarning = 'ledger_tampered' | 'clock_moved_back'

/** Highest-reading writes are throttled: losing up to this much after a crash is harmless. */
const PERSIST_EVERY_MS = 60_000

export class TrustGuard {
  private highWater: number
  private persistedHighWater: number
  private skew: number
  private sticky: Set<StickyWarning>
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly clock: Clock,
    private readonly store: SyncStore,
    readonly toleranceMs: number
  ) {
    const row = store.state.get()!
    this.highWater = row.high_water
    this.persistedHighWater = row.high_water
    this.skew = row.skew
    this.sticky = new Set(row.warnings.split(',').filter(Boolean) as StickyWarning[])
  }

  /** Reads the clock, records the highest reading and flags a clock moved back. */
  observe(): number {
    const now = this.clock.now()
    if (now > this.highWater) {
      this.highWater = now
      if (now - this.persistedHighWater >= PERSIST_EVERY_MS) this.persistSoon()
    } else if (now < this.highWater - this.toleranceMs && !this.sticky.has('clock_moved_back')) {
      this.flag('clock_moved_back')
    }
    return now
  }

  /** Relay time for lease checks: never earlier than the highest reading seen, plus the skew. */
  trustedNow(): number {
    const now = this.observe()
    return Math.max(now, this.highWater) + this.skew
  }

  flag(w: StickyWarning): void {
    if (this.sticky.has(w)) return
    this.sticky.add(w)
    this.persistSoon()
    for (const l of this.listeners) l()
  }

  /** Writes the high-water mark and the warnings now (on close). */
  flush(): void {
    this.store.setHighWater.run(this.highWater)
    this.store.setWarnings.run([...this.sticky].join(','))
    this.persistedHighWater = this.highWater
  }

  private scheduled = false
  /**
   * observe() runs inside other modules' reads and transactions (it is their clock), so it
   * never writes there: the write follows in a microtask, after the synchronous work (and
   * its transaction) is over.
   */
  private persistSoon(): void {
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      try {
        this.store.setHighWater.run(this.highWater)
        this.store.setWarnings.run([...this.sticky].join(','))
        this.persistedHighWater = this.highWater
      } catch {
        // The database was closed meanwhile: the next reading records it again.
      }
    })
  }

  get warnings(): StickyWarning[] {
    return [...this.sticky]
  }

  get trusted(): boolean {
    return this.sticky.size === 0
  }

  /**
   * A successful sync: the relay's time becomes the anchor, the local high-water mark
   * restarts at the current reading, and sticky warnings are cleared (run inside the
   * transaction that records the sync).
   */
  anchor(relayTime: number): void {
    const now = this.clock.now()
    this.highWater = now
    this.persistedHighWater = now
    this.skew = relayTime - now
    this.sticky.clear()
    this.store.setClock.run(now, this.skew, relayTime)
    this.store.setWarnings.run('')
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }
}
