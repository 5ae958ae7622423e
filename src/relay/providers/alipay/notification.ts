import type { AlipaySdk } from 'alipay-sdk'
import { parseMoney, type Money } from '../../../shared/money'
import { NotificationRejected, type NotificationInput, type ProviderEvent } from '../types'
import type { AlipayConfig } from './config'
import { fromBeijingTime } from './time'

// Alipay async notifications (trade_status_sync): a form-encoded POST signed with RSA2 over
// the sorted, *decoded* parameters. We decode once with URLSearchParams and verify with
// checkNotifySignV2, which does not decode again: checkNotifySign would run
// decodeURIComponent on values that are already decoded and throw (or mis-verify) on '%'.
// Rejection messages reach the relay's log: they name the field and the reason, never a value
// from the body (unverified input, and a log is no place for what a caller chose to send).

/** Form-decodes the raw body; duplicate keys are refused so no parameter is ambiguous. */
export function decodeNotifyBody(rawBody: Buffer): Record<string, string> {
  const text = rawBody.toString('utf8')
  if (!text.trim()) throw new NotificationRejected('malformed', 'empty body')
  const params: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(text)) {
    if (!key) throw new NotificationRejected('malformed', 'empty parameter name')
    if (Object.prototype.hasOwnProperty.call(params, key)) {
      throw new NotificationRejected('malformed', `duplicate parameter ${key}`)
    }
    params[key] = value
  }
  return params
}

function required(params: Record<string, string>, key: string): string {
  const v = params[key]
  if (v === undefined || v === '') throw new NotificationRejected('malformed', `missing ${key}`)
  return v
}

function yuan(params: Record<string, string>, key: string): Money {
  const text = required(params, key)
  try {
    const m = parseMoney(text, 'CNY')
    if (m.amount <= 0) throw new Error('not positive')
    return m
  } catch {
    throw new NotificationRejected('malformed', `${key} is not a positive yuan amount`)
  }
}

/** Verifies signature, app and seller; returns the decoded parameters. */
export function verifyAlipayNotify(
  sdk: AlipaySdk,
  config: AlipayConfig,
  input: NotificationInput
): Record<string, string> {
  const params = decodeNotifyBody(input.rawBody)
  if (!params.sign) throw new NotificationRejected('missing_signature', 'no sign parameter')
  // The SDK picks the algorithm from sign_type; refuse a downgrade to SHA1.
  if (params.sign_type !== undefined && params.sign_type !== config.signType) {
    throw new NotificationRejected('bad_signature', `sign_type is not ${config.signType}`)
  }
  if (params.charset !== undefined && params.charset.toLowerCase() !== 'utf-8') {
    throw new NotificationRejected('malformed', 'charset is not utf-8')
  }
  let valid = false
  try {
    valid = sdk.checkNotifySignV2(params)
  } catch {
    valid = false
  }
  if (!valid) throw new NotificationRejected('bad_signature', 'RSA2 signature does not verify')
  if (params.app_id !== config.appId) {
    throw new NotificationRejected('wrong_merchant', params.app_id === undefined ? 'app_id missing' : 'app_id is not ours')
  }
  if (config.sellerId !== undefined && params.seller_id !== config.sellerId) {
    throw new NotificationRejected('wrong_merchant', params.seller_id === undefined ? 'seller_id missing' : 'seller_id is not ours')
  }
  return params
}

/**
 * Maps verified parameters to events. A refund notification is a trade_status_sync that
 * carries refund_fee / gmt_refund / out_biz_no (TRADE_SUCCESS after a partial refund,
 * TRADE_CLOSED after a full one).
 */
export function mapAlipayNotify(params: Record<string, string>, receivedAt: number): ProviderEvent[] {
  const eventId = required(params, 'notify_id')
  const orderNo = required(params, 'out_trade_no')
  const status = required(params, 'trade_status')
  const at = (key: string) => fromBeijingTime(params[key]) ?? fromBeijingTime(params.notify_time) ?? receivedAt

  // Some payment notifications carry refund_fee "0.00"; only a non-zero fee or a refund time
  // marks a refund.
  const isRefund =
    params.gmt_refund !== undefined ||
    (params.refund_fee !== undefined && !/^0*(\.0*)?$/.test(params.refund_fee))
  if (isRefund) {
    const tradeNo = required(params, 'trade_no')
    // Alipay documents refund_fee as the order's total refunded so far, not this refund's
    // amount: it goes in `cumulative`, so the core records only the part not yet counted
    // (two partial refunds of 20 and 30 arrive as 20.00 then 50.00).
    const total = yuan(params, 'refund_fee')
    return [
      {
        type: 'refund.succeeded',
        eventId,
        orderNo,
        // out_biz_no (the refund request number) is unique only within its trade: two orders
        // may both have refund "1". Prefixed with Alipay's trade number it is unique for Alipay,
        // as every refund id must be (the relay and the app record each refund once by it).
        refundId: `${tradeNo}:${params.out_biz_no || eventId}`,
        amount: total,
        cumulative: total,
        occurredAt: at('gmt_refund')
      }
    ]
  }
  switch (status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return [
        {
          type: 'payment.succeeded',
          eventId,
          orderNo,
          providerPaymentId: required(params, 'trade_no'),
          amount: yuan(params, 'total_amount'),
          occurredAt: at('gmt_payment')
        }
      ]
    case 'TRADE_CLOSED':
      return [{ type: 'checkout.expired', eventId, orderNo, occurredAt: at('gmt_close') }]
    case 'WAIT_BUYER_PAY':
      return [{ type: 'ignored', eventId, reason: 'waiting for the buyer to pay' }]
    default:
      return [{ type: 'ignored', eventId, reason: 'unknown trade_status' }]
  }
}
