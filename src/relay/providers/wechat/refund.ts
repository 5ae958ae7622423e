import type Pay from 'wechatpay-node-v3'
import { BillingError, CurrencyMismatch, InvalidInput } from '../../../shared/errors'
import type { RefundAnswer, RefundRequest } from '../types'
import { money } from '../../../shared/money'

// WeChat Pay v3 domestic refund (申请退款). out_refund_no is the refund key: WeChat answers a
// repeated out_refund_no with the same refund, so a retry never refunds twice. refundId is
// refund_id, the id REFUND.SUCCESS notifications carry (notification.ts), so answer and
// notification of one refund are recorded once whichever comes first.

interface WechatRefundBody {
  refund_id?: unknown
  out_trade_no?: unknown
  out_refund_no?: unknown
  status?: unknown
  amount?: { refund?: unknown; currency?: unknown }
}

/** WeChat's error code from an error body, never the body itself (it may echo our request). */
export function errorCode(error: unknown): string {
  if (typeof error !== 'string') return ''
  try {
    const code = (JSON.parse(error) as { code?: unknown }).code
    return typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : ''
  } catch {
    return ''
  }
}

/** reason is at most 80 characters for WeChat. */
function reasonText(reason: string): string {
  return [...reason].slice(0, 80).join('')
}

export async function wechatRefund(pay: Pay, req: RefundRequest): Promise<RefundAnswer> {
  if (req.amount.currency !== 'CNY') throw new CurrencyMismatch('CNY', req.amount.currency)
  if (req.orderAmount.currency !== 'CNY') throw new CurrencyMismatch('CNY', req.orderAmount.currency)
  if (!(req.amount.amount > 0) || req.amount.amount > req.orderAmount.amount) {
    throw new InvalidInput('refund amount must be positive and at most the order amount')
  }
  const details = { orderNo: req.orderNo, refundKey: req.refundKey }
  let res: Awaited<ReturnType<typeof pay.refunds>>
  try {
    res = await pay.refunds({
      out_trade_no: req.orderNo,
      out_refund_no: req.refundKey,
      reason: reasonText(req.reason),
      amount: { refund: req.amount.amount, total: req.orderAmount.amount, currency: 'CNY' }
    })
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error'
    // The message of a network error or an untrusted response names no secret; keep it short.
    const detail = err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200)
    throw new BillingError('UNAVAILABLE', `WeChat Pay: refund failed (${name}: ${detail})`, details)
  }
  const body = res.data as WechatRefundBody | undefined
  if (res.status !== 200 || !body) {
    const code = errorCode(res.error)
    throw new BillingError('UNAVAILABLE', `WeChat Pay: refund refused (${res.status}${code ? ` ${code}` : ''})`, {
      ...details,
      status: res.status,
      ...(code ? { code } : {})
    })
  }
  const refundId = body.refund_id
  const refunded = body.amount?.refund
  if (typeof refundId !== 'string' || !refundId || !Number.isInteger(refunded) || body.out_refund_no !== req.refundKey || body.out_trade_no !== req.orderNo) {
    throw new BillingError('UNAVAILABLE', 'WeChat Pay: refund answer is malformed', details)
  }
  if (refunded !== req.amount.amount) {
    // A repeated out_refund_no answers the first refund: a different amount is not ours to record.
    throw new BillingError('UNAVAILABLE', `WeChat Pay: refund ${refundId} is for ${String(refunded)}, not ${req.amount.amount}`, details)
  }
  const amount = money(refunded as number, 'CNY')
  switch (body.status) {
    case 'SUCCESS':
      return { refundId, status: 'succeeded', amount }
    case 'PROCESSING':
      return { refundId, status: 'pending', amount }
    default:
      // ABNORMAL (e.g. the buyer's card is closed) and CLOSED: no money moved.
      throw new BillingError('UNAVAILABLE', `WeChat Pay: refund ${refundId} ${String(body.status)}`, { ...details, refundId })
  }
}
