import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { FeedData, FeedEnvelope, FeedPage, FeedRecordType } from '../../shared/relay-contract'
import type { RelayDb } from '../db/open'
import { signRecord } from './envelope'
import type { SigningKey } from './keys'

// The per-account feed. append() runs inside the caller's transaction, so a record exists
// exactly when the effect it reports does. The cursor is the global sequence number of the last
// record seen; each record's own number is signed inside its payload (`seq`), so the app can
// check the cursor it keeps.
// Signing is deferred: append() stores the record's exact payload with an empty signature
// (an Ed25519 signature is a large share of a notification's CPU; docs/performance.md). The relay signs the backlog while it
// is idle (signer.ts, signBacklog), and a page() that serves a record not signed yet signs it
// first; either way the signature is stored. Ed25519 is deterministic, so a signature lost
// before it reached the disk is recomputed byte for byte; the record itself (what the effect
// depends on) is durable with the effect's transaction either way.

interface FeedRow {
  seq: number
  id: string
  timestamp: number
  payload: string
  signature: string
  key_id: string
}

/**
 * Per connection, the seq the next record takes once read: saves a query per record. Shared by
 * every Feed on the connection, so records are numbered in commit order (a reader's cursor never
 * passes a number still to come). That holds because the relay writes the feed through ONE
 * connection (openRelayDb's; the checkpoint thread writes no rows): a second writing connection
 * would need the query per record back. A rolled-back record leaves its number unused (a gap;
 * seqs are global, so each account's feed has gaps anyway, and the app only needs them to
 * increase). After any failed insert the number is read again; a primary-key conflict (a row
 * written at that number behind the cache's back) is retried once.
 */
const nextSeqs = new WeakMap<object, { next: number | undefined }>()

/** The stored signature of a record not served yet. */
export const UNSIGNED = ''

export class Feed {
  private readonly insert
  private readonly nextSeq
  private readonly since
  private readonly storeSignature
  private readonly unsigned
  private readonly unsignedCount
  /** False once the backlog was seen empty; append() sets it again. Unknown (true) at start. */
  mayHaveBacklog = true
  private readonly seqs: { next: number | undefined }

  constructor(
    private readonly db: RelayDb,
    private readonly key: SigningKey,
    private readonly clock: Clock,
    private readonly ids: IdSource
  ) {
    this.insert = db.sqlite.prepare(
      'INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    // The number AUTOINCREMENT would give next (it never reuses one after a delete). Read when the
    // connection has none cached (nextSeqs), inside the caller's write transaction.
    this.nextSeq = db.sqlite.prepare(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'feed'), 0), COALESCE((SELECT MAX(seq) FROM feed), 0)) + 1 AS seq"
    )
    this.since = db.sqlite.prepare(
      'SELECT seq, id, timestamp, payload, signature, key_id FROM feed WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?'
    )
    this.storeSignature = db.sqlite.prepare(`UPDATE feed SET signature = ?, key_id = ? WHERE seq = ? AND signature = '${UNSIGNED}'`)
    // Both served by the partial index feed_unsigned.
    this.unsigned = db.sqlite.prepare(
      `SELECT seq, id, timestamp, payload, signature, key_id FROM feed WHERE signature = '${UNSIGNED}' ORDER BY seq LIMIT ?`
    )
    this.unsignedCount = db.sqlite.prepare(`SELECT COUNT(*) AS n FROM feed WHERE signature = '${UNSIGNED}'`)
    let seqs = nextSeqs.get(db.sqlite)
    if (!seqs) nextSeqs.set(db.sqlite, (seqs = { next: undefined }))
    this.seqs = seqs
  }

  /** Signs up to `limit` of the oldest records not signed yet; returns how many it signed. */
  signBacklog(limit: number): number {
    const rows = this.unsigned.all(limit) as FeedRow[]
    this.signUnsigned(rows)
    if (rows.length < limit) this.mayHaveBacklog = false
    return rows.length
  }

  /** Records waiting for their signature (health, benchmarks). */
  backlog(): number {
    return (this.unsignedCount.get() as { n: number }).n
  }

  /** Appends one record, signed later (idle or when first served); call inside a transaction. */
  append<T extends FeedRecordType>(accountId: string, type: T, data: FeedData<T>): { id: string; seq: number } {
    const id = `rec_${this.ids.next()}`
    const timestamp = Math.floor(this.clock.now() / 1000)
    const { seq } = this.store(id, accountId, type, timestamp, data, () => UNSIGNED)
    this.mayHaveBacklog = true
    return { id, seq }
  }

  /** Appends one record signed at once, for a caller that hands it out right away (a lease). */
  appendSigned<T extends FeedRecordType>(accountId: string, type: T, data: FeedData<T>): FeedEnvelope {
    const id = `rec_${this.ids.next()}`
    const timestamp = Math.floor(this.clock.now() / 1000)
    const { seq, payload, signature } = this.store(id, accountId, type, timestamp, data, (payload) =>
      signRecord(this.key, id, timestamp, payload)
    )
    return { id, timestamp, payload, signature, keyId: this.key.keyId, cursor: String(seq) }
  }

  /** Inserts a record at the next seq (which its payload carries); inside the caller's transaction. */
  private store(
    id: string,
    accountId: string,
    type: FeedRecordType,
    timestamp: number,
    data: unknown,
    sign: (payload: string) => string
  ): { seq: number; payload: string; signature: string } {
    for (let attempt = 0; ; attempt++) {
      const seq = this.seqs.next ?? (this.nextSeq.get() as { seq: number }).seq
      const payload = JSON.stringify({ v: 1, seq, type, accountId, data })
      const signature = sign(payload)
      try {
        this.insert.run(seq, id, accountId, type, timestamp, payload, signature, this.key.keyId)
      } catch (err) {
        this.seqs.next = undefined
        if (attempt === 0 && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') continue
        throw err
      }
      this.seqs.next = seq + 1
      return { seq, payload, signature }
    }
  }

  page(accountId: string, cursor: string | undefined, limit: number): FeedPage {
    const after = cursor === undefined ? 0 : Number(cursor)
    const rows = this.since.all(accountId, after, limit + 1) as FeedRow[]
    const hasMore = rows.length > limit
    const served = rows.slice(0, limit)
    this.signUnsigned(served)
    const records = served.map(toEnvelope)
    return {
      records,
      nextCursor: records.length ? records[records.length - 1]!.cursor : String(after),
      hasMore,
      serverTime: this.clock.now()
    }
  }

  /** Signs every row not signed yet (in place) and stores the signatures. Not inside a transaction. */
  private signUnsigned(rows: FeedRow[]): void {
    const fresh = rows.filter((r) => r.signature === UNSIGNED)
    if (fresh.length === 0) return
    for (const r of fresh) {
      r.signature = signRecord(this.key, r.id, r.timestamp, r.payload)
      r.key_id = this.key.keyId
    }
    // No reply waits for this commit's fsync: a signature lost to a power cut is recomputed,
    // identical, on the next read. The guard on UNSIGNED keeps a concurrent signer harmless.
    this.db
      .txGroup(() => {
        for (const r of fresh) this.storeSignature.run(r.signature, r.key_id, r.seq)
      })
      .durable.catch(() => undefined)
  }
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
