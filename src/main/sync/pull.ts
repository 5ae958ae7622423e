import { randomBytes } from 'node:crypto'
import type { Billing } from '../billing'
import type { IdSource } from '../../node/ids'
import type { SettingsStore } from '../settings'
import type { FeedEnvelope, FeedPage } from '../../shared/relay-contract'
import { checkEachRecord, checkFeedPage, FeedRecordRejected, type CheckedPage, type CheckedRecord, type FeedKeys } from '../../node/feed'
import { applyRecord, type AppliedEvent, type ApplyDeps } from './apply'
import type { CheckoutFlow } from './checkouts'
import type { SyncEventBus } from './events'
import type { LeaseKeeper } from './lease'
import { nextTurn } from '../../node/next-turn'
import type { NotificationCentre } from '../notifications'
import type { RelayClient } from './relay-client'
import type { SyncStore } from './store'
import type { InvoiceBook } from '../invoices'

// Fetches the signed feed and this device's lease, and applies them (docs/sync.md, "One sync
// run", step 2). Checking a page's signature is node/feed's, applying a record is apply.ts's.

export interface FeedPullDeps {
  billing: Billing
  store: SyncStore
  keeper: LeaseKeeper
  notices: Pick<NotificationCentre, 'applyRelay' | 'announce' | 'checkReminders'>
  ids: IdSource
  settings: SettingsStore
  checkouts: CheckoutFlow
  /** Where invoice, credit_note and fapiao records are kept. */
  invoices: InvoiceBook
  events: SyncEventBus
  relay: () => RelayClient
  /** The relay keys trusted now (key-ring.ts). */
  relayKeys: () => FeedKeys
  pageSize: number
  /**
   * Records applied per transaction: a page is applied in slices of this many, each with the
   * cursor moved to its last record, the event loop turning between them (the host's windows
   * are frozen while this thread applies).
   */
  applySlice: number
  now: () => number
  /** A page was applied: the unsynced spending may have changed. */
  applied: () => void
  /** Records were skipped: the sync state shows them. */
  skipped: () => void
}

type CheckedEntry = [FeedEnvelope, CheckedRecord]
type LoadedPage = { page: FeedPage; verified: Promise<CheckedPage> }

export class FeedPuller {
  private readonly applyDeps: ApplyDeps

  constructor(private readonly deps: FeedPullDeps) {
    const { billing } = deps
    this.applyDeps = {
      db: billing.db,
      store: deps.store,
      wallet: billing.wallet,
      subscriptions: billing.subscriptions,
      coupons: billing.coupons,
      invoices: deps.invoices,
      ids: deps.ids,
      keeper: deps.keeper,
      notices: deps.notices,
      ownDevice: (id) => {
        const s = deps.settings.get()
        return id === s.deviceId || (s.formerDeviceIds?.includes(id) ?? false)
      },
      now: deps.now
    }
  }

  /**
   * Pulls the feed to its end; returns the relay's time of the last page. As soon as a page
   * arrives the next one is requested and its page signature starts verifying (on libuv's
   * pool), so fetching and verifying page k+1 overlap applying page k; what was fetched ahead
   * of a failure is dropped.
   */
  async pull(accountId: string): Promise<number> {
    const { store } = this.deps
    let next: Promise<LoadedPage> | null = this.load(accountId, store.state.get()!.cursor)
    let serverTime = this.deps.now()
    try {
      while (next) {
        const { page, verified } = await next
        next = null
        serverTime = page.serverTime
        const last = page.records.at(-1)?.cursor ?? null
        if (page.hasMore && last !== null) {
          // A stale (replayed) page must not send the pull back before what is applied.
          const applied = store.state.get()!.cursor
          next = this.load(accountId, applied !== null && !cursorAfter(last, applied) ? applied : last)
        }
        const { ok, rejected } = await verified
        await this.applyInSlices(this.forward(ok))
        if (rejected) throw rejected
      }
      return serverTime
    } finally {
      // A page requested ahead of a failure is not wanted; do not leave its error unhandled.
      next?.catch(() => undefined)
    }
  }

  /**
   * Applies a page's records a slice at a time, each slice and its cursor in one transaction:
   * a crash between slices leaves the cursor after the last slice applied, and the next pull
   * starts there (a record applied twice changes nothing anyway).
   */
  private async applyInSlices(records: CheckedEntry[]): Promise<void> {
    const size = Math.max(1, this.deps.applySlice)
    if (records.length === 0) this.applyPage(records, null)
    for (let i = 0; i < records.length; i += size) {
      // Each slice in a turn of its own: the first would otherwise share the turn in which the
      // page's last records were checked.
      await nextTurn()
      const slice = records.slice(i, i + size)
      this.applyPage(slice, String(slice.at(-1)![1].seq))
    }
  }

  /** Fetches, verifies and keeps this device's lease (if newer). */
  async refreshLease(accountId: string): Promise<void> {
    const { lease } = await this.deps.relay().lease()
    const { ok, rejected } = await checkEachRecord([lease], this.deps.relayKeys(), accountId)
    if (rejected) throw rejected
    if (ok[0]?.[1].payload?.type !== 'entitlement_lease') throw new FeedRecordRejected(lease.id, 'the lease reply is not a readable lease')
    this.applyPage(ok, null)
  }

  private load(accountId: string, cursor: string | null): Promise<LoadedPage> {
    const nonce = randomBytes(16).toString('base64url')
    return this.deps
      .relay()
      .feed(cursor, this.deps.pageSize, nonce)
      .then((page) => ({ page, verified: checkFeedPage(page, this.deps.relayKeys(), accountId, cursor, nonce) }))
  }

  /**
   * Keeps the records whose signed sequence is above everything applied so far, in order: a
   * replayed page or record (at or below the cursor) is dropped, so the cursor only moves
   * forward and only to a number the relay signed.
   */
  private forward(records: CheckedEntry[]): CheckedEntry[] {
    const applied = this.deps.store.state.get()!.cursor
    let highest = applied !== null && /^\d+$/.test(applied) ? BigInt(applied) : 0n
    const kept: CheckedEntry[] = []
    for (const entry of records) {
      const seq = BigInt(entry[1].seq)
      if (seq <= highest) continue
      highest = seq
      kept.push(entry)
    }
    return kept
  }

  /**
   * Applies checked records and the cursor in one transaction; then tells the UI. The cursor
   * is the last record's signed sequence number (null: records outside the feed's paging).
   */
  private applyPage(records: CheckedEntry[], cursor: string | null): void {
    const { billing, store } = this.deps
    const events: AppliedEvent[] = []
    try {
      billing.db.tx(() => {
        const totals = { relayBalance: 0 }
        for (const [envelope, checked] of records) applyRecord(this.applyDeps, envelope, checked.payload, events, totals, checked.problem)
        if (totals.relayBalance !== 0) store.addRelayBalance.run(totals.relayBalance)
        if (cursor !== null && cursorAfter(cursor, store.state.get()!.cursor)) store.setCursor.run(cursor, this.deps.now())
      })
    } catch (err) {
      // The transaction rolled back a lease it may have kept in memory.
      this.deps.keeper.load()
      throw err
    }
    this.deps.applied()
    if (cursor !== null) this.deps.settings.set({ cursor })
    if (events.length === 0) return
    billing.wallet.refresh()
    billing.quotas.invalidate()
    this.announce(events)
  }

  private announce(events: AppliedEvent[]): void {
    const { checkouts } = this.deps
    for (const event of events) {
      if (event.kind === 'payment.confirmed') {
        const order = checkouts.byOrderNo(event.orderNo)
        this.deps.events.emit('payment.confirmed', { orderId: order?.id ?? event.orderNo, amount: event.amount, purpose: event.purpose })
      } else if (event.kind === 'order.changed') {
        const order = checkouts.byOrderNo(event.orderNo)
        if (order) this.deps.events.emit('checkout.updated', checkouts.view(order))
      }
    }
    if (events.some((event) => event.kind === 'record.skipped')) this.deps.skipped()
    // Notices after the commit: new ones to the desktop and the screens; a new plan or lease moves the local reminders.
    this.deps.notices.announce(events.flatMap((event) => (event.kind === 'notice.added' ? [event.id] : [])))
    if (events.some((event) => event.kind === 'subscription.changed' || event.kind === 'lease.changed')) this.deps.notices.checkReminders()
  }
}

/** A replayed (stale) feed page must not move the cursor back. */
function cursorAfter(next: string, current: string | null): boolean {
  if (current === null) return true
  if (/^\d+$/.test(next) && /^\d+$/.test(current)) return BigInt(next) > BigInt(current)
  return next !== current
}
