import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { FeedData, FeedEnvelope, FeedPage, FeedRecordType, Notice } from '../../shared/relay-contract'
import { UNSIGNED, type FeedRow, type RelayStore, type StoreTx } from '../store/ports'
import { signRecord } from './envelope'
import type { SigningKey } from './keys'

// The per-account feed. append() runs inside the caller's unit of work, so a record exists
// exactly when the effect it reports does. The cursor is the global sequence number of the last
// record seen; each record's own number is signed inside its payload (`seq`), so the app can
// check the cursor it keeps.
// Signing is deferred: append() stores the record's exact payload with an empty signature
// (an Ed25519 signature is a large share of a notification's CPU; docs/performance.md). The relay signs the backlog while it
// is idle (signer.ts, signBacklog), and a page() that serves a record not signed yet signs it
// first; either way the signature is stored. Ed25519 is deterministic, so a signature lost
// before it reached the disk is recomputed byte for byte; the record itself (what the effect
// depends on) is durable with the effect's transaction either way.


/**
 * Hears a record as it is appended, inside the same unit of work and before it is stored
 * (notices and reminders follow from records). What it answers is the notice the event causes:
 * it rides in the record itself (the payload's `notice`), so an event and its notice are one
 * record to store, sign and send.
 */
export type FeedListener = (tx: StoreTx, accountId: string, type: FeedRecordType, data: unknown) => Promise<Notice | undefined>

export class Feed {
  /** False once the backlog was seen empty; append() sets it again. Unknown (true) at start. */
  mayHaveBacklog = true
  private listener: FeedListener | undefined

  /** One listener (core.ts wires src/relay/notifications/events.ts). */
  onAppend(listener: FeedListener): void {
    this.listener = listener
  }

  constructor(
    private readonly store: RelayStore,
    private readonly key: SigningKey,
    private readonly clock: Clock,
    private readonly ids: IdSource
  ) {}

  /** The key that signs this feed now. */
  get keyId(): string {
    return this.key.keyId
  }

  /** Signs up to `limit` of the oldest records not signed yet; returns how many it signed. */
  async signBacklog(limit: number): Promise<number> {
    // Read, signed and stored in one unit: on a shared database the store hands each unsigned
    // row to one instance's signer (PostgreSQL: FOR UPDATE SKIP LOCKED), so none signs twice.
    const count = await this.store.unitUnsynced(async (tx) => {
      const rows = await tx.feed.unsigned(limit)
      for (const r of rows) await tx.feed.storeSignature(r.seq, signRecord(this.key, r.id, r.timestamp, r.payload), this.key.keyId)
      return rows.length
    })
    if (count < limit) this.mayHaveBacklog = false
    return count
  }

  /** Records waiting for their signature (health, benchmarks). */
  backlog(): Promise<number> {
    return this.store.read(async (tx) => tx.feed.unsignedCount())
  }

  /** Appends one record, signed later (idle or when first served); inside the caller's unit. */
  async append<T extends FeedRecordType>(tx: StoreTx, accountId: string, type: T, data: FeedData<T>): Promise<{ id: string; seq: number }> {
    const notice = this.listener ? await this.listener(tx, accountId, type, data) : undefined
    const id = `rec_${this.ids.next()}`
    const timestamp = Math.floor(this.clock.now() / 1000)
    const { seq } = await tx.feed.append({ id, accountId, type, timestamp, keyId: this.key.keyId }, (seq) => ({
      payload: recordPayload(seq, type, accountId, data, notice),
      signature: UNSIGNED
    }))
    this.mayHaveBacklog = true
    return { id, seq }
  }

  /** Appends one record signed at once, for a caller that hands it out right away (a lease). */
  async appendSigned<T extends FeedRecordType>(tx: StoreTx, accountId: string, type: T, data: FeedData<T>): Promise<FeedEnvelope> {
    const id = `rec_${this.ids.next()}`
    const timestamp = Math.floor(this.clock.now() / 1000)
    const { seq, payload, signature } = await tx.feed.append({ id, accountId, type, timestamp, keyId: this.key.keyId }, (seq) => {
      const payload = recordPayload(seq, type, accountId, data)
      return { payload, signature: signRecord(this.key, id, timestamp, payload) }
    })
    return { id, timestamp, payload, signature, keyId: this.key.keyId, cursor: String(seq) }
  }

  /** Up to `limit` records after `cursor`, signed; reads only what is on disk. */
  async page(accountId: string, cursor: string | undefined, limit: number): Promise<FeedPage> {
    const after = cursor === undefined ? 0 : Number(cursor)
    const rows = await this.store.read(async (tx) => tx.feed.since(accountId, after, limit + 1), { durable: true })
    const hasMore = rows.length > limit
    const served = rows.slice(0, limit)
    await this.signUnsigned(served)
    const records = served.map(toEnvelope)
    return {
      records,
      nextCursor: records.length ? records[records.length - 1]!.cursor : String(after),
      hasMore,
      serverTime: this.clock.now()
    }
  }

  /** Signs every row not signed yet (in place) and stores the signatures in a unit of its own. */
  private async signUnsigned(rows: FeedRow[]): Promise<void> {
    const fresh = rows.filter((r) => r.signature === UNSIGNED)
    if (fresh.length === 0) return
    for (const r of fresh) {
      r.signature = signRecord(this.key, r.id, r.timestamp, r.payload)
      r.key_id = this.key.keyId
    }
    // No reply waits for this commit's fsync: a signature lost to a power cut is recomputed,
    // identical, on the next read. The guard on UNSIGNED keeps a concurrent signer harmless.
    await this.store.unitUnsynced(async (tx) => {
      for (const r of fresh) await tx.feed.storeSignature(r.seq, r.signature, r.key_id)
    })
  }
}

/** The signed payload of a record: its own seq inside, so the app can check the cursor. */
function recordPayload(seq: number, type: FeedRecordType, accountId: string, data: unknown, notice?: Notice): string {
  return JSON.stringify(notice ? { v: 1, seq, type, accountId, data, notice } : { v: 1, seq, type, accountId, data })
}

export function toEnvelope(r: FeedRow): FeedEnvelope {
  return {
    id: r.id,
    timestamp: r.timestamp,
    payload: r.payload,
    signature: r.signature,
    keyId: r.key_id,
    cursor: String(r.seq)
  }
}
