import type Database from 'better-sqlite3'
import type { AccountListRow, ConsoleReadsRepo, FapiaoListRow, FapiaoSearch, OrderSearch } from '../../console-reads'
import type { RedemptionRow } from '../../coupons'
import type { CatalogVersionRow, GrantRow, LedgerAccountRow, LedgerTransferRow, OrderRow } from '../../ports'

// The console's cross-account reads on SQLite. Searches build their WHERE from the filters given;
// each distinct text is prepared once.

const TRANSFER_COLUMNS = `id, kind, debit_account_id AS debitAccountId, credit_account_id AS creditAccountId, amount, currency,
  customer_account_id AS customerAccountId, source_id AS sourceId, at`

/** Above every character of an order number or id: the upper end of a prefix's range. */
const PREFIX_END = '\u{10FFFF}'

export function sqliteConsoleReads(s: Database.Database): ConsoleReadsRepo {
  const prepared = new Map<string, Database.Statement>()
  const stmt = (text: string) => {
    let st = prepared.get(text)
    if (!st) prepared.set(text, (st = s.prepare(text)))
    return st
  }
  const transitions = s.prepare<[string], { from: string; to: string; cause: string; at: number }>(
    'SELECT from_state AS "from", to_state AS "to", cause, at FROM order_transitions WHERE order_id = ? ORDER BY seq'
  )
  const notifications = s.prepare<[string], { provider: string; eventId: string | null; eventType: string | null; outcome: string; at: number }>(
    'SELECT provider, event_id AS eventId, event_type AS eventType, outcome, at FROM notification_log WHERE order_no = ? ORDER BY seq'
  )
  const transfersOfOrder = s.prepare<{ id: string; no: string }, LedgerTransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
     WHERE source_id = @id
        OR source_id IN (SELECT provider || ':' || refund_id FROM refunds WHERE order_id = @id)
        OR source_id IN (SELECT number FROM invoices WHERE source_kind = 'order' AND source_id = @no)
        OR source_id IN (SELECT c.number FROM credit_notes c JOIN invoices i ON i.number = c.invoice_number
                         WHERE i.source_kind = 'order' AND i.source_id = @no)
     ORDER BY seq`
  )
  // One statement for any number of accounts: the ids travel as one JSON array.
  const runningGrants = s.prepare<[string, number, number], GrantRow>(
    `SELECT * FROM grants WHERE account_id IN (SELECT value FROM json_each(?))
       AND status = 'active' AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY account_id, starts_at`
  )
  const grantsOf = s.prepare<[string], GrantRow>('SELECT * FROM grants WHERE account_id = ? ORDER BY starts_at DESC, id DESC')
  const ledgerAccountsOf = s.prepare<[string], LedgerAccountRow>(
    `SELECT id, kind, customer_account_id AS customerAccountId, currency, debits_posted AS debitsPosted, credits_posted AS creditsPosted
     FROM ledger_accounts WHERE customer_account_id = ? ORDER BY kind, currency, id`
  )
  const transfersOf = s.prepare<[string, number], LedgerTransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE customer_account_id = ? ORDER BY seq DESC LIMIT ?`
  )
  const versions = s.prepare<[number], { version: number; effective_from: number; document: string; published_at: number }>(
    'SELECT version, effective_from, document, published_at FROM catalog_versions ORDER BY version DESC LIMIT ?'
  )
  return {
    orders(q) {
      const { where, params } = orderWhere(q)
      return stmt(`SELECT * FROM orders o ${where} ORDER BY o.created_at DESC, o.order_no DESC LIMIT @limit`).all({ ...params, limit: q.limit }) as OrderRow[]
    },
    transitions: (orderId) => transitions.all(orderId),
    notificationsOf: (orderNo) => notifications.all(orderNo),
    transfersOfOrder: (id, no) => transfersOfOrder.all({ id, no }),
    accounts(q) {
      const match: string[] = []
      const params: Record<string, unknown> = { limit: q.limit }
      if (q.idPrefix !== undefined) {
        match.push('(a.id >= @lo AND a.id < @hi)')
        params['lo'] = q.idPrefix
        params['hi'] = q.idPrefix + PREFIX_END
      }
      if (q.ids?.length) {
        match.push('a.id IN (SELECT value FROM json_each(@ids))')
        params['ids'] = JSON.stringify(q.ids)
      }
      const conds = match.length ? [`(${match.join(' OR ')})`] : []
      if (q.before) {
        conds.push('(a.created_at, a.id) < (@at, @key)')
        params['at'] = q.before.at
        params['key'] = q.before.key
      }
      const text = `SELECT a.id, a.wallet_currency AS walletCurrency, a.created_at AS createdAt,
          (SELECT count(*) FROM devices d WHERE d.account_id = a.id AND d.revoked_at IS NULL) AS devices
        FROM accounts a ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY a.created_at DESC, a.id DESC LIMIT @limit`
      return stmt(text).all(params) as AccountListRow[]
    },
    runningGrants: (accountIds, at) => (accountIds.length === 0 ? [] : runningGrants.all(JSON.stringify(accountIds), at, at)),
    grantsOf: (accountId) => grantsOf.all(accountId),
    ledgerAccountsOf: (accountId) => ledgerAccountsOf.all(accountId),
    transfersOf: (accountId, limit) => transfersOf.all(accountId, limit),
    fapiao(q) {
      const { where, params } = fapiaoWhere(q)
      const text = `SELECT f.invoice_number AS invoiceNumber, f.account_id AS accountId, f.status, f.requested_at AS requestedAt,
          f.decided_at AS decidedAt, f.fapiao_number AS fapiaoNumber, f.reason, f.file_type AS fileType,
          i.total, i.currency, coalesce(i.buyer, b.details) AS buyer
        FROM fapiao_requests f JOIN invoices i ON i.number = f.invoice_number LEFT JOIN billing_details b ON b.account_id = f.account_id
        ${where}
        ORDER BY ${DECIDED}, CASE WHEN ${DECIDED} THEN -f.decided_at ELSE f.requested_at END, f.invoice_number
        LIMIT @limit`
      return stmt(text).all({ ...params, limit: q.limit }) as FapiaoListRow[]
    },
    redemptions(couponId, q) {
      const text = `SELECT r.*, o.order_no FROM coupon_redemptions r LEFT JOIN orders o ON o.id = r.order_id
        WHERE r.coupon_id = @couponId ${q.before ? 'AND (r.created_at, r.id) < (@at, @key)' : ''}
        ORDER BY r.created_at DESC, r.id DESC LIMIT @limit`
      const params = q.before ? { couponId, at: q.before.at, key: q.before.key, limit: q.limit } : { couponId, limit: q.limit }
      return stmt(text).all(params) as (RedemptionRow & { order_no: string | null })[]
    },
    catalogVersions: (limit) =>
      versions.all(limit).map((r): CatalogVersionRow => ({ version: r.version, effectiveFrom: r.effective_from, document: r.document, publishedAt: r.published_at }))
  }
}

const DECIDED = "(f.status <> 'requested')"

function fapiaoWhere(q: FapiaoSearch): { where: string; params: Record<string, unknown> } {
  const conds: string[] = []
  const params: Record<string, unknown> = {}
  if (q.status) {
    conds.push('f.status = @status')
    params['status'] = q.status
  }
  if (q.after) {
    params['at'] = q.after.at
    params['number'] = q.after.invoiceNumber
    conds.push(
      q.after.decided
        ? `${DECIDED} AND (f.decided_at < @at OR (f.decided_at = @at AND f.invoice_number > @number))`
        : `(${DECIDED} OR f.requested_at > @at OR (f.requested_at = @at AND f.invoice_number > @number))`
    )
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params }
}

function orderWhere(q: OrderSearch): { where: string; params: Record<string, unknown> } {
  const conds: string[] = []
  const params: Record<string, unknown> = {}
  const match: string[] = []
  if (q.orderNoPrefix !== undefined) {
    // A range on the unique order number (BINARY collation): the index answers a prefix.
    match.push('(o.order_no >= @lo AND o.order_no < @hi)')
    params['lo'] = q.orderNoPrefix
    params['hi'] = q.orderNoPrefix + PREFIX_END
  }
  if (q.paymentId !== undefined) {
    match.push('o.provider_payment_id = @paymentId')
    params['paymentId'] = q.paymentId
  }
  if (match.length) conds.push(`(${match.join(' OR ')})`)
  for (const [key, column] of [['accountId', 'account_id'], ['provider', 'provider'], ['state', 'state']] as const) {
    if (q[key] === undefined) continue
    conds.push(`o.${column} = @${key}`)
    params[key] = q[key]
  }
  if (q.from !== undefined) {
    conds.push('o.created_at >= @from')
    params['from'] = q.from
  }
  if (q.to !== undefined) {
    conds.push('o.created_at < @to')
    params['to'] = q.to
  }
  if (q.before) {
    conds.push('(o.created_at, o.order_no) < (@at, @key)')
    params['at'] = q.before.at
    params['key'] = q.before.key
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params }
}
