import type Pay from 'wechatpay-node-v3'
import { BillingError } from '../../../shared/errors'
import { errorCode } from './refund'

// 关闭订单: POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close, answered 204. A paid
// order is refused (ORDERPAID); the relay records its payment as it arrives.

export async function wechatClose(pay: Pay, orderNo: string): Promise<void> {
  let res: Awaited<ReturnType<typeof pay.close>>
  try {
    res = await pay.close(orderNo)
  } catch (err) {
    const detail = err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : String(err).slice(0, 200)
    throw new BillingError('UNAVAILABLE', `WeChat Pay: close failed (${detail})`, { orderNo })
  }
  if (res.status !== 204 && res.status !== 200) {
    const code = errorCode(res.error)
    throw new BillingError('UNAVAILABLE', `WeChat Pay: close refused (${res.status}${code ? ` ${code}` : ''})`, { orderNo, status: res.status, code })
  }
}
