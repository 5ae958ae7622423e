import type { Clock } from '../../main/core/clock'
import { canonicalJson, fingerprint } from '../../main/core/fingerprint'
import type { OutboxAck, OutboxRecord } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayWallet } from '../accounts/wallet'
import type { RelayDb } from '../db/open'
import type { Feed } from '../feed/feed'

// A device's outbox batch, applied in one transaction and acknowledged by id. A record id is
// kept with a fingerprint of its content: the same id and content again is acknowledged
// without a second effect; the same id with other content is refused (IDEMPOTENCY_CONFLICT).
// - usage: recorded (the relay's copy for reconciliation and reports).
// - wallet_debit: debits the relay's wallet (debt when it goes below zero) and is mirrored in
//   the feed so the account's other devices converge.
// - first_free_claim: the first claim the relay commits for the account wins (a `first_free`
//   record names it); every later claim, from any device, becomes a charge of its price
//   (a `wallet_debit` record with reason first_free_lost, and debt if the wallet is short).

export class Outbox {
  private readonly read
  private readonly insert
  private readonly firstFree
  private readonly claimFirstFree

  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly feed: Feed,
    private readonly wallet: RelayWallet
  ) {
    const s = db.sqlite
    this.read = s.prepare('SELECT fingerprint FROM outbox_records WHERE account_id = ? AND id = ?')
    this.insert = s.prepare(
      'INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    this.firstFree = s.prepare('SELECT first_free_claim_id, wallet_currency FROM accounts WHERE id = ?')
    this.claimFirstFree = s.prepare(
      'UPDATE accounts SET first_free_claim_id = ?, first_free_device_id = ? WHERE id = ? AND first_free_claim_id IS NULL'
    )
  }

  accept(ctx: DeviceContext, records: OutboxRecord[]): OutboxAck {
    return this.db.tx(() => {
      const ack: OutboxAck = { accepted: [], rejected: [] }
      for (const rec of records) {
        const fp = fingerprint(rec)
        const prev = this.read.get(ctx.accountId, rec.id) as { fingerprint: string } | undefined
        if (prev) {
          if (prev.fingerprint === fp) ack.accepted.push(rec.id)
          else ack.rejected.push({ id: rec.id, code: 'IDEMPOTENCY_CONFLICT', message: 'record id reused with other content' })
          continue
        }
        const { first_free_claim_id: winner, wallet_currency: currency } = this.firstFree.get(ctx.accountId) as {
          first_free_claim_id: string | null
          wallet_currency: string
        }
        const amount = rec.kind === 'wallet_debit' ? rec.amount : rec.kind === 'first_free_claim' ? rec.price : null
        if (amount && amount.currency !== currency) {
          ack.rejected.push({ id: rec.id, code: 'CURRENCY_MISMATCH', message: `the wallet is in ${currency}` })
          continue
        }
        if (amount && amount.amount < 0) {
          ack.rejected.push({ id: rec.id, code: 'INVALID_AMOUNT', message: 'amount must not be negative' })
          continue
        }
        const outcome = this.apply(ctx, rec, winner)
        this.insert.run(ctx.accountId, rec.id, ctx.deviceId, rec.kind, fp, canonicalJson(rec), outcome, this.clock.now())
        ack.accepted.push(rec.id)
      }
      return ack
    })
  }

  private apply(ctx: DeviceContext, rec: OutboxRecord, winner: string | null): string {
    switch (rec.kind) {
      case 'usage':
        return 'recorded'
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
        if (rec.amount.amount > 0) this.wallet.debit(ctx.accountId, rec.amount, rec.id, 'overdraft')
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
        if (rec.price.amount > 0) this.wallet.debit(ctx.accountId, rec.price, rec.id, 'first_free_lost')
        return 'lost'
    }
  }
}
