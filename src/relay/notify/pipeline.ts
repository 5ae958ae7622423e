import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../../node/clock'
import type { RelayDb } from '../db/open'
import {
  NotificationRejected,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderReply
} from '../providers/types'
import type { EventApplier, Outcome } from './apply'

// One notification: verify on the raw body (the adapter's job), capture PayPal approvals,
// then apply every event of the notification in ONE transaction together with its audit
// rows, and only after the commit answer the provider.
// Group commit: notifications verified in the same turn of the event loop are applied in one
// transaction; should one of them throw, the batch is run again with each in its own savepoint,
// so it rolls back only itself. The batch's fsync runs off the event loop (db.txGroup,
// db/wal-sync.ts) and every reply waits for it, so the next batch's work overlaps this one's
// disk wait; while the fsync is busy the batch keeps growing (db.whenSlotFree). Replies by outcome:
//   applied / duplicate / stale / ignored → provider.accepted()  (the effect is durable or none is due)
//   deferred (refund before payment, capture failed) → 503, the provider redelivers later
//   rejected: bad signature etc. 400, unknown order 404, amount/currency 400, forbidden transition 409

const REJECT_STATUS: Record<string, number> = {
  unknown_order: 404,
  amount_mismatch: 400,
  currency_mismatch: 400,
  forbidden_transition: 409
}

/** Notifications committed together at most (see flush). */
const MAX_BATCH = 256

interface QueuedWork {
  work: () => Outcome[]
  resolve: (o: Outcome[]) => void
  reject: (e: unknown) => void
}

export interface NotifyResult {
  reply: ProviderReply
  outcomes: Outcome[]
}

export class NotificationPipeline {
  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly applier: EventApplier,
    private readonly log: FastifyBaseLogger
  ) {}

  async handle(
    provider: PaymentProvider,
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    remoteAddress: string | null
  ): Promise<NotifyResult> {
    const name = provider.name
    let events: ProviderEvent[]
    try {
      events = await provider.verifyNotification({ rawBody, headers, receivedAt: this.clock.now() })
    } catch (err) {
      const reason = err instanceof NotificationRejected ? err.reason : 'verification_error'
      // No reply waits on this row, so it takes no in-line fsync (a flood of forged
      // notifications must not stall the event loop on the disk).
      this.db.txGroup(() => this.applier.audit(name, undefined, 'rejected', reason, remoteAddress)).durable.catch(() => undefined)
      this.log.warn({ provider: name, reason, detail: errText(err) }, 'notification rejected')
      return { reply: provider.rejected(reason, err instanceof NotificationRejected ? 400 : 500), outcomes: [] }
    }

    const prepared: { event: ProviderEvent; pre?: Outcome }[] = []
    for (const event of events) prepared.push(await this.capture(provider, event))

    const outcomes = await this.enqueue(() =>
      prepared.map(({ event, pre }) => {
        const outcome = pre ?? this.applier.apply(name, event)
        this.applier.audit(name, event, outcome.kind, outcome.reason ?? null, remoteAddress)
        return outcome
      })
    )
    // Logged after the commit: these lines describe durable facts.
    prepared.forEach(({ event }, i) => {
      const o = outcomes[i]!
      const fields = {
        provider: name,
        eventId: event.eventId,
        type: event.type,
        orderNo: 'orderNo' in event ? event.orderNo : undefined,
        outcome: o.kind,
        reason: o.reason
      }
      if (o.kind === 'rejected' || o.kind === 'deferred') this.log.warn(fields, 'notification event not applied')
      else this.log.info(fields, 'notification event')
    })
    return { reply: this.reply(provider, outcomes), outcomes }
  }

  private queue: QueuedWork[] = []
  private scheduled = false

  /** `work` writes to SQLite only: it may run twice (see commit), and only the committed run counts. */
  private enqueue(work: () => Outcome[]): Promise<Outcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        // Next turn, and not before an fsync could start for the commit: meanwhile more
        // notifications join the batch (db.whenSlotFree).
        setImmediate(() => this.db.whenSlotFree(() => this.flush()))
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    // Commits of at most MAX_BATCH each: a fault re-runs one of them, not everything queued
    // during a slow fsync. All are made now; the next fsync covers them together.
    while (this.queue.length > 0) this.commitBatch(this.queue.splice(0, MAX_BATCH))
  }

  private commitBatch(batch: QueuedWork[]): void {
    let results: ({ ok: Outcome[] } | { err: unknown })[]
    let durable: Promise<void>
    try {
      ;({ value: results, durable } = this.commit(batch))
    } catch (err) {
      for (const item of batch) item.reject(err)
      return
    }
    // Replies wait for the fsync; meanwhile the next batch is verified and committed.
    durable.then(
      () =>
        batch.forEach((item, i) => {
          const r = results[i]!
          if ('ok' in r) item.resolve(r.ok)
          else item.reject(r.err)
        }),
      (err: unknown) => {
        this.log.error({ detail: errText(err) }, 'WAL fsync failed')
        for (const item of batch) item.reject(err)
      }
    )
  }

  /**
   * The whole batch in one transaction, without savepoints: a notification that throws (not a
   * rejection, which is an outcome; a fault) is rare, so only then is the batch rolled back and
   * run again with each notification in its own savepoint, so the others still commit.
   */
  private commit(batch: QueuedWork[]): { value: ({ ok: Outcome[] } | { err: unknown })[]; durable: Promise<void> } {
    if (batch.length === 1) return this.db.txGroup(() => [{ ok: batch[0]!.work() }])
    try {
      return this.db.txGroup(() => batch.map((item) => ({ ok: item.work() })))
    } catch (fault) {
      this.log.warn({ detail: errText(fault), batch: batch.length }, 'notification batch rolled back; applying one by one')
      return this.db.txGroup(() =>
        batch.map((item) => {
          try {
            return { ok: this.db.tx(item.work) }
          } catch (err) {
            return { err }
          }
        })
      )
    }
  }

  /** PayPal: an approval is captured before the transaction; the capture becomes the payment. */
  private async capture(provider: PaymentProvider, event: ProviderEvent): Promise<{ event: ProviderEvent; pre?: Outcome }> {
    if (event.type !== 'payment.approved' || !provider.capture) return { event }
    if (this.applier.isReplay(provider.name, event.eventId)) return { event }
    const order = this.applier.order(event.orderNo)
    if (!order || order.provider !== provider.name || this.applier.checkPayment(order, event.amount)) return { event }
    try {
      const { captureId, amount, pending } = await provider.capture(event.providerRef, event.orderNo)
      // Not paid yet: the order stays open until the capture's completion event arrives.
      if (pending) return { event, pre: { kind: 'ignored', reason: 'capture_pending' } }
      return {
        event: {
          type: 'payment.succeeded',
          eventId: event.eventId,
          orderNo: event.orderNo,
          providerPaymentId: captureId,
          amount,
          occurredAt: event.occurredAt
        }
      }
    } catch (err) {
      this.log.warn({ provider: provider.name, orderNo: event.orderNo, detail: errText(err) }, 'capture failed')
      return { event, pre: { kind: 'deferred', reason: 'capture_failed' } }
    }
  }

  private reply(provider: PaymentProvider, outcomes: Outcome[]): ProviderReply {
    const rejected = outcomes.find((o) => o.kind === 'rejected')
    if (rejected) return provider.rejected(rejected.reason ?? 'rejected', REJECT_STATUS[rejected.reason ?? ''] ?? 400)
    const deferred = outcomes.find((o) => o.kind === 'deferred')
    if (deferred) return provider.rejected(deferred.reason ?? 'retry later', 503)
    return provider.accepted()
  }
}

function errText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300)
}
