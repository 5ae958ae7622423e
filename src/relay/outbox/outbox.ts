import { hash } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { OutboxAck, OutboxRecord } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayWallet } from '../accounts/wallet'
import type { RelayDb, Sqlite } from '../db/open'
import type { Feed } from '../feed/feed'
import { canonicalRecord } from './canonical'

// A device's outbox batch, applied in one transaction and acknowledged by id. A record id is
// kept with its canonical body and a fingerprint of it: the same id and content again is
// acknowledged without a second effect; the same id with other content is refused
// (IDEMPOTENCY_CONFLICT).
// - usage: recorded (the relay's copy for reconciliation and reports).
// - wallet_debit: debits the relay's wallet (debt when it goes below zero) and is mirrored in
//   the feed so the account's other devices converge.
// - first_free_claim: the first claim the relay commits for the account wins (a `first_free`
//   record names it); every later claim, from any device, becomes a charge of its price
//   (a `wallet_debit` record with reason first_free_lost, and debt if the wallet is short).
//
// Catch-up pushes 100k records in batches, so the per-record cost is what counts: the account
// row is read once per batch, each record is serialised once (its canonical body, hashed for
// the fingerprint), and usage records (no effect beyond their rows) are inserted straight away,
// up to USAGE_ROWS per statement (a quarter less time than one by one), the stored fingerprints
// read only when some id was already there. A debit or claim is looked up first, since its
// effect must not run for a resend; usage rows waiting before it are written first, so it sees
// them.

/** sha256 of the canonical body, as src/node/fingerprint.ts computes fingerprint(). */
export function bodyFingerprint(body: string): string {
  // The one-shot hash: half the cost of createHash().update().digest() per record.
  return hash('sha256', body, 'base64url').slice(0, 22)
}

type Statement = ReturnType<Sqlite['prepare']>

/** Usage rows per INSERT statement. */
const USAGE_ROWS = 50

interface UsageRow {
  id: string
  fp: string
  body: string
}

export class Outbox {
  private readonly stored
  private readonly insert
  private readonly insertUsage = new Map<number, Statement>()
  private readonly account
  private readonly claimFirstFree

  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly feed: Feed,
    private readonly wallet: RelayWallet
  ) {
    const s = db.sqlite
    this.stored = s.prepare<[string, string], { fingerprint: string }>(
      'SELECT fingerprint FROM outbox_records WHERE account_id = ? AND id = ?'
    )
    const insert =
      'INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    this.insert = s.prepare(insert)
    this.account = s.prepare('SELECT first_free_claim_id, wallet_currency FROM accounts WHERE id = ?')
    this.claimFirstFree = s.prepare(
      'UPDATE accounts SET first_free_claim_id = ?, first_free_device_id = ? WHERE id = ? AND first_free_claim_id IS NULL'
    )
  }

  accept(ctx: DeviceContext, records: OutboxRecord[]): OutboxAck {
    return this.db.tx(() => {
      const ack: OutboxAck = { accepted: [], rejected: [] }
      if (records.length === 0) return ack
      const acct = this.account.get(ctx.accountId) as { first_free_claim_id: string | null; wallet_currency: string }
      let winner = acct.first_free_claim_id
      const now = this.clock.now()
      // A record whose id is stored already (sent before, or twice in this batch): the same
      // content is acknowledged again, other content refused.
      const resend = (id: string, fp: string, prev: string) => {
        if (prev === fp) ack.accepted.push(id)
        else ack.rejected.push({ id, code: 'IDEMPOTENCY_CONFLICT', message: 'record id reused with other content' })
      }
      const usage: UsageRow[] = []
      const flushUsage = () => {
        if (usage.length === 0) return
        if (this.writeUsage(ctx, usage, now) < usage.length) {
          // Some id was stored before (or twice here): judge each by what is stored now.
          for (const u of usage) resend(u.id, u.fp, this.stored.get(ctx.accountId, u.id)!.fingerprint)
        } else {
          for (const u of usage) ack.accepted.push(u.id)
        }
        usage.length = 0
      }
      for (const rec of records) {
        const body = canonicalRecord(rec)
        const fp = bodyFingerprint(body)
        if (rec.kind === 'usage') {
          usage.push({ id: rec.id, fp, body })
          if (usage.length === USAGE_ROWS) flushUsage()
          continue
        }
        flushUsage()
        const prev = this.stored.get(ctx.accountId, rec.id)
        if (prev !== undefined) {
          resend(rec.id, fp, prev.fingerprint)
          continue
        }
        const amount = rec.kind === 'wallet_debit' ? rec.amount : rec.price
        if (amount.currency !== acct.wallet_currency) {
          ack.rejected.push({ id: rec.id, code: 'CURRENCY_MISMATCH', message: `the wallet is in ${acct.wallet_currency}` })
          continue
        }
        // A zero debit or a free "price" moves no money but would still become a feed record
        // that every device must apply: refused like a negative one.
        if (amount.amount <= 0) {
          ack.rejected.push({ id: rec.id, code: 'INVALID_AMOUNT', message: 'amount must be above zero' })
          continue
        }
        const outcome = this.apply(ctx, rec, winner)
        if (outcome === 'won') winner = rec.id
        this.insert.run(ctx.accountId, rec.id, ctx.deviceId, rec.kind, fp, body, outcome, now)
        ack.accepted.push(rec.id)
      }
      flushUsage()
      return ack
    })
  }

  /** Inserts usage rows, skipping ids already stored; returns how many were new. */
  private writeUsage(ctx: DeviceContext, rows: UsageRow[], now: number): number {
    let stmt = this.insertUsage.get(rows.length)
    if (!stmt) {
      const values = Array.from({ length: rows.length }, () => "(?, ?, ?, 'usage', ?, ?, 'recorded', ?)").join(', ')
      stmt = this.db.sqlite.prepare(
        `INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES ${values} ON CONFLICT DO NOTHING`
      )
      this.insertUsage.set(rows.length, stmt)
    }
    const params: unknown[] = []
    for (const r of rows) params.push(ctx.accountId, r.id, ctx.deviceId, r.fp, r.body, now)
    return stmt.run(params).changes
  }

  private apply(ctx: DeviceContext, rec: OutboxRecord, winner: string | null): string {
    switch (rec.kind) {
      case 'usage':
        return 'recorded' // inserted by accept() without coming here
      case 'wallet_debit':
        this.feed.append(ctx.accountId, 'wallet_debit', {
          sourceId: rec.id,
          deviceId: ctx.deviceId,
          amount: rec.amount,
          feature: rec.feature,
          reason: 'debit',
          occurredAt: rec.occurredAt
        })
        // After the mirror, so a debt record follows the debit that caused it.
        this.wallet.debit(ctx.accountId, rec.amount, rec.id, 'overdraft')
        return 'debited'
      case 'first_free_claim':
        if (winner === null) {
          this.claimFirstFree.run(rec.id, ctx.deviceId, ctx.accountId)
          this.feed.append(ctx.accountId, 'first_free', {
            winningClaimId: rec.id,
            deviceId: ctx.deviceId,
            feature: rec.feature,
            decidedAt: this.clock.now()
          })
          return 'won'
        }
        this.feed.append(ctx.accountId, 'wallet_debit', {
          sourceId: rec.id,
          deviceId: ctx.deviceId,
          amount: rec.price,
          feature: rec.feature,
          reason: 'first_free_lost',
          occurredAt: rec.occurredAt
        })
        this.wallet.debit(ctx.accountId, rec.price, rec.id, 'first_free_lost')
        return 'lost'
    }
  }
}
