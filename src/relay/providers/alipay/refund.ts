import type { AlipaySdk } from 'alipay-sdk'
import { BillingError, CurrencyMismatch, InvalidInput } from '../../../shared/errors'
import { parseMoney, toMajorString, type Money } from '../../../shared/money'
import type { RefundAnswer, RefundRequest } from '../types'

// alipay.trade.refund with out_request_no = the refund key: Alipay's idempotency key for
// refunds of one trade (the same number again refunds nothing more and answers fund_change N),
// and the out_biz_no its refund notification carries. So the answer's refundId is built as the
// notification mapping builds it, `${trade_no}:${out_biz_no}`, and answer and notification of
// one refund are recorded once, whichever comes first.

export function unavailable(message: string, details?: Record<string, unknown>): BillingError {
  return new BillingError('UNAVAILABLE', `Alipay: ${message}`, details)
}

/** The refund notification's refundId for this trade and refund request number. */
export function alipayRefundId(tradeNo: string, outRequestNo: string): string {
  return `${tradeNo}:${outRequestNo}`
}

/** The SDK's sign failure quotes the whole answer (buyer, trade): only say what went wrong. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.includes('验签失败') ? 'the answer signature does not verify (验签失败)' : message.slice(0, 200)
}

export async function alipayRefund(sdk: AlipaySdk, req: RefundRequest): Promise<RefundAnswer> {
  if (req.amount.currency !== 'CNY') throw new CurrencyMismatch('CNY', req.amount.currency)
  if (!(req.amount.amount > 0)) throw new InvalidInput('refund amount must be positive')
  // Alipay's out_request_no is at most 64 characters; the console accepts up to 100.
  if (req.refundKey.length > 64) {
    throw new InvalidInput('refundKey: Alipay takes at most 64 characters (支付宝退款请求号最长 64 位)', { field: 'refundKey' })
  }
  const details = { orderNo: req.orderNo, refundKey: req.refundKey }
  let result: Record<string, unknown>
  try {
    result = await sdk.exec(
      'alipay.trade.refund',
      {
        bizContent: {
          out_trade_no: req.orderNo,
          trade_no: req.providerPaymentId,
          refund_amount: toMajorString(req.amount),
          out_request_no: req.refundKey,
          refund_reason: req.reason.slice(0, 256)
        }
      },
      { validateSign: true }
    )
  } catch (err) {
    // Unreachable, timed out or an unverifiable answer: nothing is known to be refunded; the
    // same refund key retried is the same out_request_no, so a refund made meanwhile is not
    // made twice.
    throw unavailable(`refund failed: ${reasonOf(err)}`, details)
  }
  if (result.code !== '10000') {
    // Refusals (ACQ.REFUND_AMT_NOT_EQUAL_TOTAL, ACQ.TRADE_NOT_ALLOW_REFUND, …) and
    // ACQ.SYSTEM_ERROR alike: codes only, sub_msg is Alipay's prose and stays in details.
    throw unavailable(`refund refused: ${String(result.code)} ${String(result.sub_code ?? '')}`.trim(), {
      ...details,
      code: result.code,
      subCode: result.sub_code,
      subMsg: result.sub_msg
    })
  }
  const tradeNo = typeof result.trade_no === 'string' && result.trade_no ? result.trade_no : req.providerPaymentId
  if (tradeNo !== req.providerPaymentId || (result.out_trade_no !== undefined && result.out_trade_no !== req.orderNo)) {
    throw unavailable('refund answered for another trade', details)
  }
  let cumulative: Money | undefined
  try {
    cumulative = typeof result.refund_fee === 'string' ? parseMoney(result.refund_fee, 'CNY') : undefined
  } catch {
    cumulative = undefined
  }
  const refundId = alipayRefundId(tradeNo, req.refundKey)
  // fund_change Y: this call moved the money, refund_fee includes it. N: a repeat of this
  // out_request_no, or Alipay still at work (its docs say to query); the answer alone cannot
  // tell, so the notification records it. Recording it here without the money having moved
  // would mark the refundId seen and drop the notification that counts it.
  const moved = result.fund_change === 'Y' && cumulative !== undefined && cumulative.amount >= req.amount.amount
  return {
    refundId,
    status: moved ? 'succeeded' : 'pending',
    amount: req.amount,
    ...(cumulative ? { cumulative } : {})
  }
}
