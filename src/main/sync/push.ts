import type { BillingDb } from '../db/open'
import type { OutboxAck } from '../../shared/relay-contract'
import { RelayError, type RelayClient } from './relay-client'
import { nextTurn } from '../../node/next-turn'
import type { SyncStore } from './store'

// Pushes the outbox to the relay (docs/sync.md, "One sync run", step 1).

export interface OutboxPushDeps {
  db: BillingDb
  store: SyncStore
  relay: () => RelayClient
  now: () => number
  batchSize: number
  /** Batches in flight at once (at least 1). */
  pipelineDepth: number
  /** An ack was written: the unsynced spending changed. */
  acked: () => void
  /** The relay refused records: the sync state shows them. */
  refused: () => void
}

/** A pushed batch: its rows' ids in order and the seq range they span (nothing else pending in it). */
interface OutboxBatch {
  firstSeq: number
  lastSeq: number
  ids: string[]
}

export class OutboxPusher {
  constructor(private readonly deps: OutboxPushDeps) {}

  /**
   * Pushes the outbox in batches with up to `pipelineDepth` requests in flight, so the relay
   * works on one batch while the next travels; each ack commits on its own. Rows are sent from
   * their stored JSON. After a failure no new batch starts; the ones in flight finish, the run
   * fails, and unacked rows go again next time (a resend is acked, never reapplied).
   * Returns the number of rows sent. `untilSeq`: only rows written up to it (a departing device's).
   */
  async push(untilSeq = Number.MAX_SAFE_INTEGER): Promise<number> {
    let afterSeq = 0
    let sentRows = 0
    let failure: unknown = null
    const inFlight = new Set<Promise<void>>()
    while (failure === null) {
      // One batch read and sent per turn of the event loop, not the whole pipeline at once.
      if (sentRows > 0) await nextTurn()
      if (failure !== null) break
      const read = this.deps.store.outboxPendingAfter.all(afterSeq, this.deps.batchSize)
      const rows = read.length > 0 && read.at(-1)![0] > untilSeq ? read.filter(([seq]) => seq <= untilSeq) : read
      const first = rows[0]
      const last = rows.at(-1)
      if (!first || !last) break
      const batch: OutboxBatch = { firstSeq: first[0], lastSeq: last[0], ids: rows.map(([, id]) => id) }
      afterSeq = batch.lastSeq
      sentRows += rows.length
      const request: Promise<void> = this.deps
        .relay()
        .pushOutboxJson(rows.map(([, , body]) => body))
        .then((ack) => this.applyAck(batch, ack))
        .catch((err: unknown) => {
          failure ??= err
        })
        .finally(() => inFlight.delete(request))
      inFlight.add(request)
      if (inFlight.size >= this.deps.pipelineDepth) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    if (failure !== null) throw failure
    return sentRows
  }

  /** Applies one batch's ack in one transaction; a refusal is kept with its reason, never retried. */
  private applyAck(batch: OutboxBatch, ack: OutboxAck): void {
    const { store } = this.deps
    const now = this.deps.now()
    const { ids } = batch
    const whole = ack.rejected.length === 0 && ack.accepted.length === ids.length && sameIds(ids, ack.accepted)
    this.deps.db.tx(() => {
      if (whole) store.outboxAckRange.run(now, batch.firstSeq, batch.lastSeq)
      else if (ack.accepted.length > 0) store.outboxAckMany.run(now, JSON.stringify(ack.accepted))
      for (const refusal of ack.rejected) {
        store.outboxReject.run(refusal.code, `${refusal.code}: ${refusal.message}`.slice(0, 500), now, refusal.id)
      }
    })
    this.deps.acked()
    if (ack.rejected.length > 0) this.deps.refused()
    if (whole) return
    const sent = new Set(ids)
    if (!ack.accepted.some((id) => sent.has(id)) && !ack.rejected.some((refusal) => sent.has(refusal.id))) {
      throw new RelayError('the relay acknowledged none of the batch', 0, 'BAD_RESPONSE', true)
    }
  }
}

/** The relay acked exactly the rows sent (in the order sent, as it answers). */
function sameIds(sent: string[], acked: string[]): boolean {
  for (let i = 0; i < sent.length; i++) if (sent[i] !== acked[i]) return false
  return true
}
