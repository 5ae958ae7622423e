import { systemClock, type Clock } from '../node/clock'
import { randomIds, type IdSource } from '../node/ids'
import type { Checkpoints } from './integrity/checkpoint'
import { ledgerProblems } from './integrity/file-check'
import { openDatabase, type BillingDb, type Durability } from './db/open'
import { Quotas, type EntitlementPort, type UsageRecord } from './quotas'
import { createSubscriptions, type SubscriptionRecord, type SubscriptionService } from './subscriptions'
import { Wallet, type WalletDeps, type WalletRecord } from './wallet'
import { shortfall } from '../shared/billing/shortfall'
import { CouponGrants } from './coupons'
import { money } from '../shared/money'
import { BillingError, InvalidInput } from '../shared/errors'
import { nextTurn } from '../node/next-turn'

// The one entry point to the billing core, used by the Electron adapter, the test host and
// tests. Nothing under it imports electron. It opens the ledger file, wires the modules to
// each other through small ports, and offers one verify() and one sweep() for all of them.

/** Everything a module reports inside its transaction; the sync layer turns these into outbox rows. */
export type BillingRecord =
  | { source: 'wallet'; record: WalletRecord }
  | { source: 'subscription'; record: SubscriptionRecord }
  | { source: 'usage'; record: UsageRecord }

export interface BillingOptions {
  dbPath: string
  /** The file already opened with openBillingFile (openSyncedBilling opens it while ICU warms on a worker). */
  db?: BillingDb
  clock?: Clock
  ids?: IdSource
  nativeBinding?: string | undefined
  migrationsFolder?: string
  durability?: Durability
  /** The account this file belongs to (first-free is once per account). Default 'local'. */
  accountId?: string
  /** IANA zone periods are counted in. Default Asia/Shanghai. */
  timeZone?: string
  /** Called inside the transaction of every reported mutation (sync outbox). */
  onRecord?: (record: BillingRecord) => void
  /** Release the previous run's live-room leases at once (the Electron app holds a single-instance lock). */
  previousRunEnded?: boolean
  /** Builds the wallet (the sync layer passes a subclass that gates paid use on trust and the relay). */
  createWallet?: (deps: WalletDeps) => Wallet
  /** Whether the account used a plan code's trial on another device or install (the relay's word). */
  trialUsedElsewhere?: (planCode: string) => boolean
  /** Wraps the subscription-based entitlement the quotas gate on (the sync layer adds the relay lease). */
  entitlements?: (local: EntitlementPort) => EntitlementPort
}

export interface Billing {
  readonly db: BillingDb
  readonly clock: Clock
  readonly ids: IdSource
  readonly wallet: Wallet
  readonly subscriptions: SubscriptionService
  readonly quotas: Quotas
  /** Account-bound coupons (我的优惠券): the feed's grants, used by wallet-paid plans. */
  readonly coupons: CouponGrants
  /** Expires holds and leases, renews or expires subscriptions, all that is due, now (tests, tools). */
  sweep(): void
  /**
   * One bounded step of the sweep: at most `budget` holds or subscription steps, each batch in
   * its own transaction. True when more is due (call again).
   */
  sweepSlice(budget?: number): boolean
  /** The sweep in bounded slices with the event loop turning between them: the timer's, on the main thread. */
  sweepInSlices(budget?: number): Promise<void>
  /**
   * Recomputes balances, sums and hash chains of every ledger: wallet entries, subscription
   * history (each subscription row = its latest event's state; plans = built-in catalog +
   * applied catalog versions + recorded changes) and usage events (counters = their events). Tamper evidence only: an
   * attacker who recomputes the chains is stopped by the relay's signed lease and the sync.
   * `since`: walk only the rows after a verified checkpoint (start-up, src/main/integrity).
   */
  verify(since?: Checkpoints): { ok: boolean; problems: string[] }
  close(): void
}

/** Holds or subscription steps per sweep transaction (a few ms each on the main thread). */
export const SWEEP_SLICE = 50

/** Opens, locks and migrates the ledger file: the part of createBilling that needs no calendar. */
export function openBillingFile(opts: Pick<BillingOptions, 'dbPath' | 'nativeBinding' | 'migrationsFolder' | 'durability'>): BillingDb {
  return openDatabase({
    path: opts.dbPath,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {}),
    ...(opts.durability ? { durability: opts.durability } : {})
  })
}

export function createBilling(opts: BillingOptions): Billing {
  const clock = opts.clock ?? systemClock
  const ids = opts.ids ?? randomIds(clock)
  const db = opts.db ?? openBillingFile(opts)
  try {
    const onRecord = opts.onRecord
    const wallet = (opts.createWallet ?? ((deps: WalletDeps) => new Wallet(deps)))({
      db,
      clock,
      ids,
      ...(opts.accountId ? { accountId: opts.accountId } : {}),
      ...(onRecord ? { onRecord: (record: WalletRecord) => onRecord({ source: 'wallet', record }) } : {})
    })
    // Quotas read limits from the subscription; a subscription change invalidates its cache.
    let quotas: Quotas | undefined
    const coupons = new CouponGrants(db)
    const subscriptions = createSubscriptions({
      coupons,
      db,
      clock,
      ids,
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
      ...(opts.trialUsedElsewhere ? { trialUsedElsewhere: opts.trialUsedElsewhere } : {}),
      walletPort: {
        // Called inside the subscription's transaction: the charge and the change commit together.
        pay({ key, amount, reason }) {
          const short = shortfall(wallet.debt().amount, amount.amount, wallet.spendable().amount)
          if (short > 0) return { paid: false, shortfall: money(short, amount.currency) }
          try {
            wallet.consume({ key, amount, feature: 'subscription', reason })
          } catch (err) {
            // A gated wallet may refuse though the balance covers it (paid use paused, offline
            // allowance spent): an answer for the subscription to act on, not a crash of its sweep.
            if (err instanceof BillingError) return { paid: false, refused: err }
            throw err
          }
          return { paid: true }
        }
      },
      onRecord(record) {
        quotas?.invalidate()
        onRecord?.({ source: 'subscription', record })
      }
    })
    quotas = new Quotas({
      db,
      clock,
      ids,
      entitlements: ((local: EntitlementPort) => opts.entitlements?.(local) ?? local)({
        current: (now) => subscriptions.entitlement(now)
      }),
      ...(onRecord ? { onRecord: (record: UsageRecord) => onRecord({ source: 'usage', record }) } : {}),
      ...(opts.previousRunEnded ? { expirePreviousRunOnOpen: true } : {})
    })
    const q = quotas
    // Holds first: money an expired hold frees may pay a renewal in the same sweep.
    const sweepSlice = (budget: number): boolean => {
      if (!Number.isSafeInteger(budget) || budget < 1) throw new InvalidInput('a sweep slice must be a whole number ≥ 1', { budget })
      if (wallet.expireHolds(budget).length >= budget) return true
      if (subscriptions.sweep(clock.now(), budget).more) return true
      q.sweep()
      q.invalidate()
      return false
    }
    return {
      db,
      clock,
      ids,
      wallet,
      subscriptions,
      quotas: q,
      coupons,
      sweep() {
        while (sweepSlice(SWEEP_SLICE)) {
          /* the rest is due too */
        }
      },
      sweepSlice: (budget = SWEEP_SLICE) => sweepSlice(budget),
      async sweepInSlices(budget = SWEEP_SLICE) {
        while (sweepSlice(budget)) await nextTurn()
      },
      verify(since) {
        const w = wallet.verify(since?.wallet)
        const s = subscriptions.verify(since && { seq: since.subscriptions.seq, hash: since.subscriptions.hash })
        const u = q.verify(since?.usage)
        const problems = ledgerProblems(w, s, u)
        return { ok: problems.length === 0, problems }
      },
      close: () => db.close()
    }
  } catch (err) {
    db.close()
    throw err
  }
}
