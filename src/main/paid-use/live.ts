import { NotFound } from '../../shared/errors'
import type { Billing } from '../billing'
import { LeaseClosed, LeaseExpired } from '../quotas/errors'
import type { Confirmed, PaidUses, Quote } from './quotes'

// Live sessions: a confirmed live_session quote holds a room; main heartbeats the room's
// lease while the session runs, and end() frees it at once. If this process dies the
// heartbeats stop and the room expires with its lease (or at the next open of the app).

export interface LiveSession {
  key: string
  startedAt: number
  roomExpiresAt: number | null
}

export interface LiveSessionsOptions {
  billing: Billing
  paidUses: PaidUses
  /** How often running rooms are heartbeaten; default a third of the lease TTL (30 s). 0: never (the caller heartbeats). */
  heartbeatMs?: number
  /** Called when the set of running sessions changed (started, ended, lost). */
  onChanged?: (sessions: LiveSession[]) => void
  /** A room lost to expiry (the process was suspended too long): reported, the session ends. */
  onLost?: (key: string, error: unknown) => void
}

interface Running extends LiveSession {
  leaseId: string
}

export class LiveSessions {
  private readonly running = new Map<string, Running>()
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(private readonly opts: LiveSessionsOptions) {}

  /** Begins a live session: the quote says what it costs; confirm it to go live. */
  start(key: string): Quote {
    return this.opts.paidUses.begin('live_session', key)
  }

  /** PaidUses calls this when a live_session quote is confirmed. */
  confirmed(c: Confirmed, leaseId: string | null): void {
    if (!c.live || !leaseId || this.running.has(c.key)) return
    this.running.set(c.key, { ...c.live, leaseId })
    this.schedule()
    this.changed()
  }

  /** Extends every running room's lease (or the one under `key`). */
  heartbeat(key?: string): LiveSession[] {
    const targets = key === undefined ? [...this.running.values()] : [this.session(key)]
    for (const s of targets) {
      try {
        s.roomExpiresAt = this.opts.billing.quotas.heartbeat(s.leaseId).expiresAt
      } catch (err) {
        if (!(err instanceof LeaseExpired || err instanceof LeaseClosed)) throw err
        // The room is gone (expired while suspended, freed elsewhere): the session has ended.
        this.running.delete(s.key)
        this.opts.onLost?.(s.key, err)
        this.changed()
        if (key !== undefined) throw err
      }
    }
    return this.list()
  }

  /** Ends the session under `key` (or the only one running) and frees its room now. */
  end(key?: string): LiveSession {
    const s = key === undefined ? this.only() : this.session(key)
    this.opts.billing.quotas.release(s.leaseId)
    this.running.delete(s.key)
    if (this.running.size === 0) this.stopTimer()
    this.changed()
    return this.view(s)
  }

  list(): LiveSession[] {
    return [...this.running.values()].map((s) => this.view(s))
  }

  /** Stops heartbeating; the rooms stay held until their leases expire. */
  close(): void {
    this.stopTimer()
  }

  private session(key: string): Running {
    const s = this.running.get(key)
    if (!s) throw new NotFound('live session', key)
    return s
  }

  private only(): Running {
    const [first, second] = this.running.values()
    if (!first) throw new NotFound('live session', '(none running)')
    if (second) throw new NotFound('live session', '(several running: name one)')
    return first
  }

  private schedule(): void {
    const every = this.opts.heartbeatMs ?? 30_000
    if (every <= 0 || this.timer) return
    this.timer = setInterval(() => {
      try {
        this.heartbeat()
      } catch (err) {
        this.opts.onLost?.('(heartbeat)', err)
      }
    }, every)
    this.timer.unref?.()
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private changed(): void {
    this.opts.onChanged?.(this.list())
  }

  private view(s: Running): LiveSession {
    return { key: s.key, startedAt: s.startedAt, roomExpiresAt: s.roomExpiresAt }
  }
}
