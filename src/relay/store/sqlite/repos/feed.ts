import type Database from 'better-sqlite3'
import { UNSIGNED, type FeedRepo, type FeedRow } from '../../ports'

/**
 * The feed table. `next` is the seq the next record takes once read: saves a query per record.
 * It holds because the relay writes the feed through this ONE connection (the checkpoint thread
 * writes no rows), so records are numbered in commit order (a reader's cursor never passes a
 * number still to come); a second writing connection would need the query per record back. A
 * rolled-back record leaves its number unused (a gap; seqs are global, so each account's feed
 * has gaps anyway, and the app only needs them to increase). After any failed insert the number
 * is read again; a primary-key conflict (a row written at that number behind the cache's back)
 * is retried once.
 */
export function sqliteFeed(s: Database.Database): FeedRepo {
  const insert = s.prepare(
    'INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
  )
  // The number AUTOINCREMENT would give next (it never reuses one after a delete).
  const nextSeq = s.prepare<[], { seq: number }>(
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'feed'), 0), COALESCE((SELECT MAX(seq) FROM feed), 0)) + 1 AS seq"
  )
  const columns = 'seq, id, timestamp, payload, signature, key_id'
  const since = s.prepare<[string, number, number], FeedRow>(
    `SELECT ${columns} FROM feed WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`
  )
  const byId = s.prepare<[string], FeedRow>(`SELECT ${columns} FROM feed WHERE id = ?`)
  // Both served by the partial index feed_unsigned.
  const unsigned = s.prepare<[number], FeedRow>(`SELECT ${columns} FROM feed WHERE signature = '${UNSIGNED}' ORDER BY seq LIMIT ?`)
  const unsignedCount = s.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM feed WHERE signature = '${UNSIGNED}'`)
  const storeSignature = s.prepare(`UPDATE feed SET signature = ?, key_id = ? WHERE seq = ? AND signature = '${UNSIGNED}'`)
  let next: number | undefined
  return {
    append(record, build) {
      for (let attempt = 0; ; attempt++) {
        const seq = next ?? nextSeq.get()!.seq
        const { payload, signature } = build(seq)
        try {
          insert.run(seq, record.id, record.accountId, record.type, record.timestamp, payload, signature, record.keyId)
        } catch (err) {
          next = undefined
          if (attempt === 0 && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') continue
          throw err
        }
        next = seq + 1
        return { seq, payload, signature }
      }
    },
    since: (accountId, after, limit) => since.all(accountId, after, limit),
    byId: (id) => byId.get(id),
    unsigned: (limit) => unsigned.all(limit),
    unsignedCount: () => unsignedCount.get()!.n,
    storeSignature: (seq, signature, keyId) => void storeSignature.run(signature, keyId, seq)
  }
}
