// When sync runs. Triggers: start-up, back online, resume from sleep, "sync now", a timer
// that is short while a checkout waits for payment and long otherwise, and after a failure
// an exponential backoff with jitter (so a fleet of devices does not retry in step after a
// relay outage). The signal source is injected: the Electron adapter
// (src/main/electron/sync-signals.ts) implements it over net and powerMonitor; tests drive
// it by hand. One run at a time; a trigger during a run queues exactly one more run.

export interface SyncSignals {
  isOnline(): boolean
  onOnline(cb: () => void): () => void
  onOffline(cb: () => void): () => void
  onResume(cb: () => void): () => void
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>)
}

/** Always online, never resumes: for hosts without network signals. */
export const alwaysOnline: SyncSignals = {
  isOnline: () => true,
  onOnline: () => () => {},
  onOffline: () => () => {},
  onResume: () => () => {}
}

/** A signal source tests (and headless hosts) drive by hand. */
export class ManualSignals implements SyncSignals {
  private online: boolean
  private readonly subs = { online: new Set<() => void>(), offline: new Set<() => void>(), resume: new Set<() => void>() }
  constructor(online = true) {
    this.online = online
  }
  isOnline(): boolean {
    return this.online
  }
  onOnline(cb: () => void) {
    this.subs.online.add(cb)
    return () => void this.subs.online.delete(cb)
  }
  onOffline(cb: () => void) {
    this.subs.offline.add(cb)
    return () => void this.subs.offline.delete(cb)
  }
  onResume(cb: () => void) {
    this.subs.resume.add(cb)
    return () => void this.subs.resume.delete(cb)
  }
  setOnline(online: boolean): void {
    if (online === this.online) return
    this.online = online
    for (const cb of online ? this.subs.online : this.subs.offline) cb()
  }
  resume(): void {
    for (const cb of this.subs.resume) cb()
  }
}

export interface ScheduleOptions {
  /** Between successful runs with nothing waiting. Default 5 min. */
  idleMs: number
  /** Between runs while a checkout waits for payment. Default 3 s. */
  checkoutMs: number
  /** First backoff step. Default 2 s. */
  backoffBaseMs: number
  /** Backoff ceiling. Default 5 min. */
  backoffMaxMs: number
}

export const DEFAULT_SCHEDULE: ScheduleOptions = { idleMs: 300_000, checkoutMs: 3_000, backoffBaseMs: 2_000, backoffMaxMs: 300_000 }

/**
 * Delay before retry number `attempt` (1-based): "equal jitter" — half the exponential step
 * plus a random half, so it never collapses to zero and never exceeds the ceiling.
 */
export function backoffDelay(attempt: number, random: () => number, base: number, max: number): number {
  const step = Math.min(max, base * 2 ** Math.min(30, Math.max(0, attempt - 1)))
  return Math.round(step / 2 + random() * (step / 2))
}

export type TriggerReason = 'startup' | 'online' | 'resume' | 'timer' | 'manual' | 'checkout'

export class SyncScheduler {
  private timer: unknown = null
  private running: Promise<boolean> | null = null
  private queued: Promise<boolean> | null = null
  private failures = 0
  private stopped = true
  private readonly unsubs: (() => void)[] = []
  /** Reasons of the runs started, newest last (bounded): what tests and logs look at. */
  readonly history: TriggerReason[] = []

  constructor(
    private readonly deps: {
      run: () => Promise<boolean>
      signals: SyncSignals
      timers: Timers
      random: () => number
      waitingForPayment: () => boolean
      onOffline: () => void
      options: ScheduleOptions
    }
  ) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    const s = this.deps.signals
    this.unsubs.push(
      s.onOnline(() => void this.trigger('online')),
      s.onOffline(() => {
        this.clear()
        this.deps.onOffline()
      }),
      s.onResume(() => void this.trigger('resume'))
    )
    void this.trigger('startup')
  }

  stop(): void {
    this.stopped = true
    this.clear()
    for (const u of this.unsubs.splice(0)) u()
  }

  /** Runs now, or once more right after the run in progress; resolves with that run's success. */
  trigger(reason: TriggerReason): Promise<boolean> {
    if (this.running) {
      // A run in progress may have read its state before this trigger's cause: run again.
      this.queued ??= this.running.then(() => {
        this.queued = null
        return this.trigger(reason)
      })
      return this.queued
    }
    this.clear()
    this.history.push(reason)
    if (this.history.length > 100) this.history.shift()
    this.running = this.deps
      .run()
      .catch(() => false)
      .then((ok) => {
        this.running = null
        this.failures = ok ? 0 : this.failures + 1
        if (!this.queued) this.plan(ok)
        return ok
      })
    return this.running
  }

  /** The delay of the next timer, or null when none is set (offline or stopped). */
  nextDelay: number | null = null

  private plan(ok: boolean): void {
    if (this.stopped || !this.deps.signals.isOnline()) {
      this.nextDelay = null
      return
    }
    const o = this.deps.options
    const delay = ok
      ? this.deps.waitingForPayment()
        ? o.checkoutMs
        : o.idleMs
      : Math.min(
          backoffDelay(this.failures, this.deps.random, o.backoffBaseMs, o.backoffMaxMs),
          this.deps.waitingForPayment() ? Math.max(o.checkoutMs, o.backoffBaseMs) * 4 : Infinity
        )
    this.nextDelay = delay
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null
      void this.trigger(this.deps.waitingForPayment() ? 'checkout' : 'timer')
    }, delay)
  }

  private clear(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer)
    this.timer = null
    this.nextDelay = null
  }
}
