import { UNSIGNED, type FeedRepo, type FeedRow } from '../../ports'
import { FEED_BLOCK } from '../schema'
import type { Sql } from '../sql'

// Several instances append at once, so a record's number comes from a sequence taken while the
// account's feed_heads row is locked (the upsert below), and the lock is held to the commit: an
// account's next record waits for the previous one to commit, so its number is higher AND it
// becomes visible later. A reader's cursor therefore never passes a number still to come for its
// account (FeedRepo.append). Under REPEATABLE READ the waiting unit fails with a serialization
// error once the first commits and is run again (unit-of-work.ts). Numbers are global and skip
// (the upsert's VALUES takes one it may not use): the app needs them to increase, not to be dense.
// One nextval reserves FEED_BLOCK numbers (the sequence steps by that much, schema.ts): the unit's
// further records for the same account take the next numbers of its block while it still holds
// the head's lock, with no round trip (the record itself is a queued write, sql.ts). A later unit's
// block starts above every number of this one, so the order above holds. The block is forgotten
// when a savepoint rolls back (q.memo), since the lock taken inside it is released with it.

interface Block {
  next: number
  end: number
}

const COLUMNS = 'seq, id, timestamp, payload, signature, key_id'

const headKey = (accountId: string) => `feed_head:${accountId}`

/**
 * The heads of a batch's accounts taken ahead (ahead.ts), one block each, in account order so two
 * units taking several heads lock them in the same order. The locks are held to the commit, as
 * append's are; an account the batch then writes nothing to only leaves its block unused (a gap).
 */
export const HEADS_AHEAD = `INSERT INTO feed_heads (account_id, seq) SELECT a, nextval('feed_seq') FROM unnest($1::text[]) AS a ORDER BY a
  ON CONFLICT (account_id) DO UPDATE SET seq = nextval('feed_seq') RETURNING account_id, seq`

export function keepFeedHeads(q: Sql, heads: { account_id: string; seq: number }[]): void {
  for (const h of heads) q.memo.set(headKey(h.account_id), { next: h.seq, end: h.seq + FEED_BLOCK - 1 } satisfies Block)
}

export function pgFeed(q: Sql): FeedRepo {
  return {
    async append(record, build) {
      const key = headKey(record.accountId)
      let block = q.memo.get(key) as Block | undefined
      if (!block || block.next > block.end) {
        const head = await q.get<{ seq: number }>(
          `INSERT INTO feed_heads (account_id, seq) VALUES ($1, nextval('feed_seq'))
           ON CONFLICT (account_id) DO UPDATE SET seq = nextval('feed_seq') RETURNING seq`,
          [record.accountId]
        )
        block = { next: head!.seq, end: head!.seq + FEED_BLOCK - 1 }
        q.memo.set(key, block)
      }
      const seq = block.next++
      const { payload, signature } = build(seq)
      await q.later('INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
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
      void (await q.later(`UPDATE feed SET signature = $1, key_id = $2 WHERE seq = $3 AND signature = '${UNSIGNED}'`, [signature, keyId, seq]))
  }
}
