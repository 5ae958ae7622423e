import type { Input, Output } from '../../shared/ipc/contract'
import { money } from '../../shared/money'
import type { Billing } from '../billing'
import type { HistoryEntry } from '../wallet'

// wallet.history for the History screen: one row per leg that moved the user's money, plus
// first-free uses (the house pays them, delta 0, but the user should see them), each with
// the balance after it. The ledger is append-only, so the balance after a row is the
// current balance minus every later delta: the newest page starts from the balance, and the
// cursor main hands out carries the running balance to the next page ("<seq>~<balance>").
// A forged balance in a cursor only changes what that window displays, never the ledger.
// Rows that moved promotion credit (a recharge's bonus, a spend or hold it paid, a bonus taken
// back) are listed too, marked `bonus`, without a balance-after (the running figure is the cash).

const CURSOR = /^(\d{1,16})~(-?\d{1,16})$/

export function walletHistoryPage(billing: Billing, q: Input<'wallet.history'>): Output<'wallet.history'> {
  const parsed = q.cursor ? CURSOR.exec(q.cursor) : null
  const page = billing.wallet.history({
    limit: q.limit,
    ...(q.types ? { types: q.types } : {}),
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(q.cursor != null ? { cursor: parsed ? parsed[1] : q.cursor } : {})
  })
  const currency = billing.wallet.currency
  // Known only when every leg of the page is seen (no type filter) and the start is known.
  let running: number | null = q.types
    ? null
    : parsed
      ? Number(parsed[2])
      : q.cursor == null && q.to === undefined
        ? billing.wallet.balance().amount
        : null
  const items = page.items.flatMap((e: HistoryEntry) => {
    const after = running
    if (running !== null) running -= e.walletDelta
    // A row that moved promotion credit only shows as such; its balance-after is the cash's.
    if (e.walletDelta === 0 && e.bonusDelta !== 0) {
      return [{ id: rowId(e), type: e.type, amount: money(e.bonusDelta, e.amount.currency), balanceAfter: null, bonus: true as const, feature: e.feature, reason: null, createdAt: e.at }]
    }
    if (e.walletDelta === 0 && e.type !== 'first_free') return []
    return [
      {
        id: rowId(e),
        type: e.type,
        amount: money(e.walletDelta, e.amount.currency),
        balanceAfter: after === null ? null : money(after, currency),
        feature: e.feature,
        // The core's reasons are internal ("gate:export"); the screen words the feature itself.
        reason: null,
        createdAt: e.at
      }
    ]
  })
  const next = page.nextCursor
  return { items, nextCursor: next === null ? null : running === null ? next : `${next}~${running}` }
}

const rowId = (e: HistoryEntry): string => (e.leg === 0 ? e.entryId : `${e.entryId}:${e.leg}`)
