import { UNSIGNED, type FeedRepo, type FeedRow } from '../../ports'
import type { Sql } from '../sql'

// Several instances append at once, so a record's number comes from a sequence taken while the
// account's feed_heads row is locked (the upsert below), and the lock is held to the commit: an
// account's next record waits for the previous one to commit, so its number is higher AND it
// becomes visible later. A reader's cursor therefore never passes a number still to come for its
// account (FeedRepo.append). Under REPEATABLE READ the waiting unit fails with a serialization
// error once the first commits and is run again (unit-of-work.ts). Numbers are global and skip
// (the upsert's VALUES takes one it may not use): the app needs them to increase, not to be dense.

const COLUMNS = 'seq, id, timestamp, payload, signature, key_id'

export function pgFeed(q: Sql): FeedRepo {
  return {
    async append(record, build) {
      const head = await q.get<{ seq: number }>(
        `INSERT INTO feed_heads (account_id, seq) VALUES ($1, nextval('feed_seq'))
         ON CONFLICT (account_id) DO UPDATE SET seq = nextval('feed_seq') RETURNING seq`,
        [record.accountId]
      )
      const seq = head!.seq
      const { payload, signature } = build(seq)
      await q.run('INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        seq,
        record.id,
        record.accountId,
        record.type,
        record.timestamp,
        payload,
        signature,
        record.keyId
      ])
      return { seq, payload, signature }
    },
    since: (accountId, after, limit) =>
      q.all<FeedRow>(`SELECT ${COLUMNS} FROM feed WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [accountId, after, limit]),
    byId: (id) => q.get<FeedRow>(`SELECT ${COLUMNS} FROM feed WHERE id = $1`, [id]),
    // SKIP LOCKED: rows another instance's signer holds are its to sign (feed/feed.ts signBacklog).
    unsigned: (limit) =>
      q.all<FeedRow>(`SELECT ${COLUMNS} FROM feed WHERE signature = '${UNSIGNED}' ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]),
    unsignedCount: async () => (await q.get<{ n: number }>(`SELECT COUNT(*) AS n FROM feed WHERE signature = '${UNSIGNED}'`))!.n,
    storeSignature: async (seq, signature, keyId) =>
      void (await q.run(`UPDATE feed SET signature = $1, key_id = $2 WHERE seq = $3 AND signature = '${UNSIGNED}'`, [signature, keyId, seq]))
  }
}
