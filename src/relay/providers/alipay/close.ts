import type { AlipaySdk } from 'alipay-sdk'
import { reasonOf, unavailable } from './refund'

// alipay.trade.close: a trade waiting for payment is closed, so its QR code or cashier page no
// longer takes money. Alipay creates a precreate trade only when the buyer scans it, so an
// unscanned QR answers ACQ.TRADE_NOT_EXIST (the code then runs out at its time_expire).

export async function alipayClose(sdk: AlipaySdk, orderNo: string): Promise<void> {
  let result: Record<string, unknown>
  try {
    result = await sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: orderNo } }, { validateSign: true })
  } catch (err) {
    throw unavailable(`close failed: ${reasonOf(err)}`, { orderNo })
  }
  if (result.code !== '10000') {
    throw unavailable(`close refused: ${String(result.code)} ${String(result.sub_code ?? '')}`.trim(), {
      orderNo,
      code: result.code,
      subCode: result.sub_code
    })
  }
}
