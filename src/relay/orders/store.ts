import type { Money } from '../../shared/money'
import type { CheckoutItem, OrderDto, OrderState } from '../../shared/relay-contract'
import type { ProviderName } from '../providers/types'
import type { RelayDb } from '../db/open'

// Prepared statements over orders and their transition log, shared by checkout creation
// and the notification pipeline.

export interface OrderRow {
  id: string
  order_no: string
  account_id: string
  device_id: string
  client_key: string
  request_fingerprint: string
  provider: ProviderName
  item_json: string
  subject: string
  amount: number
  currency: Money['currency']
  refunded_amount: number
  state: OrderState
  checkout_json: string | null
  provider_ref: string | null
  provider_payment_id: string | null
  expires_at: number
  created_at: number
  updated_at: number
}

export function toOrderDto(r: OrderRow): OrderDto {
  return {
    orderNo: r.order_no,
    provider: r.provider,
    item: JSON.parse(r.item_json) as CheckoutItem,
    amount: { amount: r.amount, currency: r.currency },
    refunded: { amount: r.refunded_amount, currency: r.currency },
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

export class OrderStore {
  readonly byNo
  readonly byKey
  readonly byId
  readonly insert
  readonly setState
  readonly setCheckout
  readonly setPaid
  readonly setRefunded
  readonly logTransition
  readonly nextSeq

  constructor(db: RelayDb) {
    const s = db.sqlite
    this.byNo = s.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_no = ?')
    this.byKey = s.prepare<[string, string], OrderRow>('SELECT * FROM orders WHERE account_id = ? AND client_key = ?')
    this.byId = s.prepare<[string], OrderRow>('SELECT * FROM orders WHERE id = ?')
    this.insert = s.prepare(
      `INSERT INTO orders (id, order_no, account_id, device_id, client_key, request_fingerprint, provider, item_json,
        subject, amount, currency, refunded_amount, state, expires_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'created', ?, ?, ?)`
    )
    this.setState = s.prepare('UPDATE orders SET state = ?, updated_at = ? WHERE id = ?')
    this.setCheckout = s.prepare(
      'UPDATE orders SET checkout_json = ?, provider_ref = COALESCE(provider_ref, ?), updated_at = ? WHERE id = ?'
    )
    this.setPaid = s.prepare(
      "UPDATE orders SET state = 'paid', provider_payment_id = ?, updated_at = ? WHERE id = ?"
    )
    this.setRefunded = s.prepare('UPDATE orders SET state = ?, refunded_amount = ?, updated_at = ? WHERE id = ?')
    this.logTransition = s.prepare(
      'INSERT INTO order_transitions (order_id, from_state, to_state, cause, at) VALUES (?, ?, ?, ?, ?)'
    )
    this.nextSeq = s.prepare<[], { value: number }>(
      "INSERT INTO counters (name, value) VALUES ('order_no', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"
    )
  }
}
