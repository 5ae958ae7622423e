import type { Clock } from '../../main/core/clock'
import type { IdSource } from '../../main/core/ids'
import type { FeedData, FeedEnvelope, FeedPage, FeedRecordType } from '../../shared/relay-contract'
import type { RelayDb } from '../db/open'
import { signRecord } from './envelope'
import type { SigningKey } from './keys'

// The per-account feed. append() runs inside the caller's transaction, so a record exists
// exactly when the effect it reports does; it is signed once, at write time, and served
// as stored. The cursor is the global sequence number of the last record seen; each record's
// own number is signed inside its payload (`seq`), so the app can check the cursor it keeps.

interface FeedRow {
  seq: number
  id: string
  timestamp: number
  payload: string
  signature: string
  key_id: string
}

export class Feed {
  private readonly insert
  private readonly nextSeq
  private readonly since

  constructor(
    db: RelayDb,
    private readonly key: SigningKey,
    private readonly clock: Clock,
    private readonly ids: IdSource
  ) {
    this.insert = db.sqlite.prepare(
      'INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    // The number AUTOINCREMENT would give next (it never reuses one, even after a delete). Safe
    // to read before the insert: append() runs inside the caller's write transaction.
    this.nextSeq = db.sqlite.prepare(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'feed'), 0), COALESCE((SELECT MAX(seq) FROM feed), 0)) + 1 AS seq"
    )
    this.since = db.sqlite.prepare(
      'SELECT seq, id, timestamp, payload, signature, key_id FROM feed WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?'
    )
  }

  /** Appends one signed record; call inside a transaction. */
  append<T extends FeedRecordType>(accountId: string, type: T, data: FeedData<T>): FeedEnvelope {
    const id = `rec_${this.ids.next()}`
    const timestamp = Math.floor(this.clock.now() / 1000)
    const seq = (this.nextSeq.get() as { seq: number }).seq
    const payload = JSON.stringify({ v: 1, seq, type, accountId, data })
    const signature = signRecord(this.key, id, timestamp, payload)
    this.insert.run(seq, id, accountId, type, timestamp, payload, signature, this.key.keyId)
    return { id, timestamp, payload, signature, keyId: this.key.keyId, cursor: String(seq) }
  }

  page(accountId: string, cursor: string | undefined, limit: number): FeedPage {
    const after = cursor === undefined ? 0 : Number(cursor)
    const rows = this.since.all(accountId, after, limit + 1) as FeedRow[]
    const hasMore = rows.length > limit
    const records = rows.slice(0, limit).map(toEnvelope)
    return {
      records,
      nextCursor: records.length ? records[records.length - 1]!.cursor : String(after),
      hasMore,
      serverTime: this.clock.now()
    }
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
