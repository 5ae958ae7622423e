import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../../node/clock'
import type { Currency } from '../../shared/money'
import { chart } from '../ledger/chart'
import type { Awaitable, RelayStore, StoreTx } from '../store/ports'
import {
  NotificationRejected,
  type PaymentProvider,
  type ProviderName,
  type ProviderEvent,
  type ProviderReply
} from '../providers/types'
import type { EventApplier, Outcome } from './apply'

// One notification: verify on the raw body (the adapter's job), capture PayPal approvals,
// then apply every event of the notification in ONE transaction together with its audit
// rows, and only after the commit answer the provider.
// Group commit: notifications verified in the same turn of the event loop are applied in one
// transaction; should one of them throw, the batch is run again with each in its own savepoint,
// so it rolls back only itself. The batch's disk flush runs off the event loop (a grouped unit
// of work; store/sqlite/wal-sync.ts) and every reply waits for it, so the next batch's work
// overlaps this one's disk wait; while the flush is busy the batch keeps growing
// (store.whenSlotFree). Replies by outcome:
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
  work: (tx: StoreTx) => Promise<Outcome[]>
  /** What `work` will read first (the replay memory of its events, their orders): read ahead per batch. */
  ahead: { provider: ProviderName; eventIds: string[]; orderNos: string[] }
  resolve: (o: Outcome[]) => void
  reject: (e: unknown) => void
}

export interface NotifyResult {
  reply: ProviderReply
  outcomes: Outcome[]
}

export class NotificationPipeline {
  constructor(
    private readonly store: RelayStore,
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
      this.store
        .unitGrouped(async (tx) => this.applier.audit(tx, name, undefined, 'rejected', reason, remoteAddress))
        .then(({ durable }) => durable)
        .catch((fault: unknown) => this.log.error({ detail: errText(fault) }, 'audit row not written'))
      this.log.warn({ provider: name, reason, detail: errText(err) }, 'notification rejected')
      return { reply: provider.rejected(reason, err instanceof NotificationRejected ? 400 : 500), outcomes: [] }
    }

    const prepared: { event: ProviderEvent; pre?: Outcome }[] = []
    for (const event of events) prepared.push(await this.capture(provider, event))

    const ahead = { provider: name, eventIds: [] as string[], orderNos: [] as string[] }
    for (const { event, pre } of prepared) {
      if (pre) continue
      ahead.eventIds.push(event.eventId)
      if ('orderNo' in event) ahead.orderNos.push(event.orderNo)
    }
    const outcomes = await this.enqueue(ahead, async (tx) => {
      const out: Outcome[] = []
      for (const { event, pre } of prepared) {
        const outcome = pre ?? (await this.applier.apply(tx, name, event))
        await this.applier.audit(tx, name, event, outcome.kind, outcome.reason ?? null, remoteAddress)
        out.push(outcome)
      }
      return out
    })
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

  /** `work` writes to the store only: it may run twice (see commit), and only the committed run counts. */
  private enqueue(ahead: QueuedWork['ahead'], work: QueuedWork['work']): Promise<Outcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, ahead, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        // Next turn, and not before an fsync could start for the commit: meanwhile more
        // notifications join the batch (store.whenSlotFree).
        setImmediate(() => this.store.whenSlotFree(() => this.flush()))
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    // Commits of at most MAX_BATCH each: a fault re-runs one of them, not everything queued
    // during a slow fsync. All are started now (the store runs units in order); the next flush
    // covers them together.
    while (this.queue.length > 0) void this.commitBatch(this.queue.splice(0, MAX_BATCH))
  }

  private async commitBatch(batch: QueuedWork[]): Promise<void> {
    let results: ({ ok: Outcome[] } | { err: unknown })[]
    let durable: Promise<void>
    try {
      ;({ value: results, durable } = await this.commit(batch))
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
  private async commit(batch: QueuedWork[]): Promise<{ value: ({ ok: Outcome[] } | { err: unknown })[]; durable: Promise<void> }> {
    if (batch.length === 1) return this.store.unitGrouped(async (tx) => [{ ok: await batch[0]!.work(tx) }])
    try {
      return await this.store.unitGrouped(async (tx) => {
        await readAhead(tx, batch)
        const results: { ok: Outcome[] }[] = []
        for (const item of batch) results.push({ ok: await item.work(tx) })
        return results
      })
    } catch (fault) {
      this.log.warn({ detail: errText(fault), batch: batch.length }, 'notification batch rolled back; applying one by one')
      // No read-ahead here: a bad key in it would fail every notification, not only its own.
      return this.store.unitGrouped(async (tx) => {
        const results: ({ ok: Outcome[] } | { err: unknown })[] = []
        for (const item of batch) {
          try {
            results.push({ ok: await tx.nested(item.work) })
          } catch (err) {
            results.push({ err })
          }
        }
        return results
      })
    }
  }

  /** PayPal: an approval is captured before the transaction; the capture becomes the payment. */
  private async capture(provider: PaymentProvider, event: ProviderEvent): Promise<{ event: ProviderEvent; pre?: Outcome }> {
    if (event.type !== 'payment.approved' || !provider.capture) return { event }
    const { replay, order } = await this.applier.beforeCapture(provider.name, event.eventId, event.orderNo)
    if (replay) return { event }
    if (!order || order.provider !== provider.name) return { event }
    // The customer cancelled it (checkouts.ts): no money has moved, and none is taken now.
    if (order.state === 'cancelled') return { event, pre: { kind: 'stale', reason: 'order_cancelled' } }
    if (this.applier.checkPayment(order, event.amount)) return { event }
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

/** The batch's first reads, as one hint (the PostgreSQL store answers it in two round trips). */
function readAhead(tx: StoreTx, batch: QueuedWork[]): Awaitable<void> {
  const events = new Map<ProviderName, string[]>()
  const orderNos: string[] = []
  for (const { ahead } of batch) {
    const ids = events.get(ahead.provider)
    if (ids) ids.push(...ahead.eventIds)
    else events.set(ahead.provider, [...ahead.eventIds])
    orderNos.push(...ahead.orderNos)
  }
  return tx.readAhead({ events: [...events].map(([provider, eventIds]) => ({ provider, eventIds })), orderNos, ledgerAccounts: walletLedger })
}

/** The ledger accounts a payment reads (its wallet's balances, wallet.ts). */
const walletLedger = (accountId: string, currency: Currency): string[] => [chart.wallet(accountId, currency).id, chart.receivable(accountId, currency).id]
