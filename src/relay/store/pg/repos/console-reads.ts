import type { AccountListRow, ConsoleReadsRepo, FapiaoListRow, FapiaoSearch, OrderSearch } from '../../console-reads'
import type { RedemptionRow } from '../../coupons'
import type { CatalogVersionRow, GrantRow, LedgerAccountRow, LedgerTransferRow, OrderRow } from '../../ports'
import { ms, ts, type Sql } from '../sql'

// The console's cross-account reads on PostgreSQL, as the SQLite repository. Instants cross as
// timestamptz and come back as Date: every row goes through `dated`, which turns each into ms.

const TRANSFER_COLUMNS = `id, kind, debit_account_id AS "debitAccountId", credit_account_id AS "creditAccountId", amount, currency,
  customer_account_id AS "customerAccountId", source_id AS "sourceId", at`

/** A LIKE pattern for "begins with": text_pattern_ops indexes answer it whatever the collation. */
const prefixPattern = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`

/** A row with its Date columns as epoch ms. */
const dated = <T>(r: Record<string, unknown>): T => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? ms(v) : v])) as T
const allDated = async <T>(rows: Promise<Record<string, unknown>[]>): Promise<T[]> => (await rows).map((r) => dated<T>(r))

export function pgConsoleReads(q: Sql): ConsoleReadsRepo {
  return {
    orders(search) {
      const { where, values } = orderWhere(search)
      values.push(search.limit)
      return allDated<OrderRow>(q.all(`SELECT * FROM orders o ${where} ORDER BY o.created_at DESC, o.order_no DESC LIMIT $${values.length}`, values))
    },
    transitions: (orderId) =>
      allDated(q.all('SELECT from_state AS "from", to_state AS "to", cause, at FROM order_transitions WHERE order_id = $1 ORDER BY seq', [orderId])),
    notificationsOf: (orderNo) =>
      allDated(
        q.all('SELECT provider, event_id AS "eventId", event_type AS "eventType", outcome, at FROM notification_log WHERE order_no = $1 ORDER BY seq', [
          orderNo
        ])
      ),
    transfersOfOrder: (id, no) =>
      allDated<LedgerTransferRow>(
        q.all(
          `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
           WHERE source_id = $1
              OR source_id IN (SELECT provider || ':' || refund_id FROM refunds WHERE order_id = $1)
              OR source_id IN (SELECT number FROM invoices WHERE source_kind = 'order' AND source_id = $2)
              OR source_id IN (SELECT c.number FROM credit_notes c JOIN invoices i ON i.number = c.invoice_number
                               WHERE i.source_kind = 'order' AND i.source_id = $2)
           ORDER BY seq`,
          [id, no]
        )
      ),
    accounts(search) {
      const values: unknown[] = []
      const p = (v: unknown) => `$${values.push(v)}`
      const match: string[] = []
      if (search.idPrefix !== undefined) match.push(`a.id LIKE ${p(prefixPattern(search.idPrefix))}`)
      if (search.ids?.length) match.push(`a.id = ANY(${p(search.ids)}::text[])`)
      const conds = match.length ? [`(${match.join(' OR ')})`] : []
      if (search.before) {
        conds.push(`(a.created_at, a.id) < (${p(ts(search.before.at))}, ${p(search.before.key)})`)
      }
      const text = `SELECT a.id, a.wallet_currency AS "walletCurrency", a.created_at AS "createdAt",
          (SELECT count(*) FROM devices d WHERE d.account_id = a.id AND d.revoked_at IS NULL) AS devices
        FROM accounts a ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY a.created_at DESC, a.id DESC LIMIT ${p(search.limit)}`
      return allDated<AccountListRow>(q.all(text, values))
    },
    runningGrants: async (accountIds, at) =>
      accountIds.length === 0
        ? []
        : allDated<GrantRow>(
            q.all(
              `SELECT * FROM grants WHERE account_id = ANY($1::text[]) AND status = 'active' AND starts_at <= $2 AND (ends_at IS NULL OR ends_at > $2)
               ORDER BY account_id, starts_at`,
              [accountIds, ts(at)]
            )
          ),
    grantsOf: (accountId) => allDated<GrantRow>(q.all('SELECT * FROM grants WHERE account_id = $1 ORDER BY starts_at DESC, id DESC', [accountId])),
    ledgerAccountsOf: (accountId) =>
      q.all<LedgerAccountRow>(
        `SELECT id, kind, customer_account_id AS "customerAccountId", currency, debits_posted AS "debitsPosted", credits_posted AS "creditsPosted"
         FROM ledger_accounts WHERE customer_account_id = $1 ORDER BY kind, currency, id`,
        [accountId]
      ),
    transfersOf: (accountId, limit) =>
      allDated<LedgerTransferRow>(q.all(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE customer_account_id = $1 ORDER BY seq DESC LIMIT $2`, [accountId, limit])),
    fapiao(search) {
      const { where, values } = fapiaoWhere(search)
      const text = `SELECT f.invoice_number AS "invoiceNumber", f.account_id AS "accountId", f.status, f.requested_at AS "requestedAt",
          f.decided_at AS "decidedAt", f.fapiao_number AS "fapiaoNumber", f.reason, f.file_type AS "fileType",
          i.total, i.currency, coalesce(i.buyer, b.details) AS buyer
        FROM fapiao_requests f JOIN invoices i ON i.number = f.invoice_number LEFT JOIN billing_details b ON b.account_id = f.account_id
        ${where}
        ORDER BY ${DECIDED}, CASE WHEN ${DECIDED} THEN NULL ELSE f.requested_at END, f.decided_at DESC, f.invoice_number
        LIMIT $${values.push(search.limit)}`
      return allDated<FapiaoListRow>(q.all(text, values))
    },
    redemptions: (couponId, search) => {
      const values: unknown[] = [couponId]
      const p = (v: unknown) => `$${values.push(v)}`
      const before = search.before ? `AND (r.created_at, r.id) < (${p(ts(search.before.at))}, ${p(search.before.key)})` : ''
      return allDated<RedemptionRow & { order_no: string | null }>(
        q.all(
          `SELECT r.id, r.coupon_id, r.code, r.grant_id, r.account_id, r.order_id, r.purchase_id, r.state, r.discount, r.currency,
             r.plan_code, r.period, r.periods_left, r.created_at, r.updated_at, o.order_no
           FROM coupon_redemptions r LEFT JOIN orders o ON o.id = r.order_id
           WHERE r.coupon_id = $1 ${before} ORDER BY r.created_at DESC, r.id DESC LIMIT ${p(search.limit)}`,
          values
        )
      )
    },
    catalogVersions: async (limit) =>
      (
        await q.all<{ version: number; effective_from: Date; document: string; published_at: Date }>(
          'SELECT version, effective_from, document, published_at FROM catalog_versions ORDER BY version DESC LIMIT $1',
          [limit]
        )
      ).map((r): CatalogVersionRow => ({ version: r.version, effectiveFrom: ms(r.effective_from), document: r.document, publishedAt: ms(r.published_at) }))
  }
}

const DECIDED = "(f.status <> 'requested')"

function fapiaoWhere(search: FapiaoSearch): { where: string; values: unknown[] } {
  const values: unknown[] = []
  const p = (v: unknown) => `$${values.push(v)}`
  const conds: string[] = []
  if (search.status) conds.push(`f.status = ${p(search.status)}`)
  if (search.after) {
    const at = p(ts(search.after.at))
    const number = p(search.after.invoiceNumber)
    conds.push(
      search.after.decided
        ? `${DECIDED} AND (f.decided_at < ${at} OR (f.decided_at = ${at} AND f.invoice_number > ${number}))`
        : `(${DECIDED} OR f.requested_at > ${at} OR (f.requested_at = ${at} AND f.invoice_number > ${number}))`
    )
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', values }
}

function orderWhere(q: OrderSearch): { where: string; values: unknown[] } {
  const values: unknown[] = []
  const p = (v: unknown) => `$${values.push(v)}`
  const conds: string[] = []
  const match: string[] = []
  if (q.orderNoPrefix !== undefined) match.push(`o.order_no LIKE ${p(prefixPattern(q.orderNoPrefix))}`)
  if (q.paymentId !== undefined) match.push(`o.provider_payment_id = ${p(q.paymentId)}`)
  if (match.length) conds.push(`(${match.join(' OR ')})`)
  if (q.accountId !== undefined) conds.push(`o.account_id = ${p(q.accountId)}`)
  if (q.provider !== undefined) conds.push(`o.provider = ${p(q.provider)}`)
  if (q.state !== undefined) conds.push(`o.state = ${p(q.state)}`)
  if (q.from !== undefined) conds.push(`o.created_at >= ${p(ts(q.from))}`)
  if (q.to !== undefined) conds.push(`o.created_at < ${p(ts(q.to))}`)
  if (q.before) {
    // A row comparison: the (created_at, order_no) index seeks straight to the page.
    conds.push(`(o.created_at, o.order_no) < (${p(ts(q.before.at))}, ${p(q.before.key)})`)
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', values }
}
