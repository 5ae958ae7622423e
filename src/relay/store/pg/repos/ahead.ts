import type { LedgerAccountRow, ReadAhead } from '../../ports'
import type { Sql } from '../sql'
import { ACCOUNT, keepAccount, type AccountColumns } from './accounts'
import { billingDetailsKey } from './invoices'
import { HEADS_AHEAD, keepFeedHeads } from './feed'
import { ACCOUNT_COLUMNS, ledgerAccountKey } from './ledger'
import { optOutsKey } from './notices'
import { SEEN_AHEAD, seenKey } from './notifications'
import { identitiesKey } from './sign-in'
import { BY_NO, keepOrdersAhead, type WithAhead } from './orders'

// A notification batch's first reads, in two round trips whatever its size (StoreTx.readAhead):
// the replay memory of its events and its orders, then, for the orders' accounts, each account's
// feed head (a block of numbers, locked to the commit as an append locks it), row, billing details,
// the ledger accounts the payment reads, and its identities and notice opt-outs (for the emails). Each answer goes where the
// repository that owns it keeps its reads for the unit (sql.ts memo), under the same snapshot a
// later read would have, and the unit's own writes update or drop it as they do for any kept read.

export async function pgReadAhead(q: Sql, hint: ReadAhead): Promise<void> {
  const events = hint.events.filter((e) => e.eventIds.length > 0)
  const first = await q.allMany([
    ...events.map((e) => ({ text: SEEN_AHEAD, values: [e.provider, [...e.eventIds]] })),
    { text: `${BY_NO} WHERE o.order_no = ANY($1)`, values: [[...hint.orderNos]] }
  ])
  events.forEach((e, i) => {
    for (const id of e.eventIds) q.memo.set(seenKey(e.provider, id), false)
    for (const r of first[i] as { event_id: string }[]) q.memo.set(seenKey(e.provider, r.event_id), true)
  })
  const orders = keepOrdersAhead(q, hint.orderNos, first[events.length] as WithAhead[])
  const accountIds = [...new Set(orders.map((o) => o.account_id))]
  if (accountIds.length === 0) return
  const ledgerIds = [...new Set(orders.flatMap((o) => hint.ledgerAccounts(o.account_id, o.currency)))]
  const [heads, accounts, details, ledger, identities, optOuts] = await q.allMany([
    { text: HEADS_AHEAD, values: [accountIds] },
    { text: `${ACCOUNT} WHERE id = ANY($1)`, values: [accountIds] },
    { text: 'SELECT account_id, details FROM billing_details WHERE account_id = ANY($1)', values: [accountIds] },
    { text: `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1)`, values: [ledgerIds] },
    { text: 'SELECT account_id, kind, subject FROM account_identities WHERE account_id = ANY($1) ORDER BY account_id, created_at, kind, subject', values: [accountIds] },
    { text: 'SELECT account_id, kind FROM notice_opt_outs WHERE account_id = ANY($1)', values: [accountIds] }
  ])
  keepFeedHeads(q, heads as { account_id: string; seq: number }[])
  const byId = new Map((accounts as AccountColumns[]).map((r) => [r.id, r]))
  for (const id of accountIds) keepAccount(q, id, byId.get(id))
  for (const id of accountIds) q.memo.set(billingDetailsKey(id), undefined)
  for (const r of details as { account_id: string; details: string }[]) q.memo.set(billingDetailsKey(r.account_id), r.details)
  for (const id of ledgerIds) q.memo.set(ledgerAccountKey(id), undefined)
  for (const r of ledger as LedgerAccountRow[]) q.memo.set(ledgerAccountKey(r.id), r)
  // For each notice's email (notifications/notices.ts): the account's identities and opt-outs.
  const ids = new Map<string, { kind: string; subject: string }[]>(accountIds.map((id) => [id, []]))
  for (const r of identities as { account_id: string; kind: string; subject: string }[]) ids.get(r.account_id)!.push({ kind: r.kind, subject: r.subject })
  for (const [id, list] of ids) q.memo.set(identitiesKey(id), list)
  const outs = new Map<string, Set<string>>(accountIds.map((id) => [id, new Set()]))
  for (const r of optOuts as { account_id: string; kind: string }[]) outs.get(r.account_id)!.add(r.kind)
  for (const [id, kinds] of outs) q.memo.set(optOutsKey(id), kinds)
}
