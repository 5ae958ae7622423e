import type { AlipaySdk } from 'alipay-sdk'
import { BillingError } from '../../../shared/errors'

// alipay.trade.close: a trade waiting for payment is closed, so its QR code or cashier page no
// longer takes money. Alipay creates a precreate trade only when the buyer scans it, so an
// unscanned QR answers ACQ.TRADE_NOT_EXIST (the code then runs out at its time_expire).

export async function alipayClose(sdk: AlipaySdk, orderNo: string): Promise<void> {
  let result: Record<string, unknown>
  try {
    result = await sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: orderNo } }, { validateSign: true })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new BillingError('UNAVAILABLE', `Alipay: close failed: ${message.includes('验签失败') ? 'the answer signature does not verify (验签失败)' : message.slice(0, 200)}`, { orderNo })
  }
  if (result.code !== '10000') {
    throw new BillingError('UNAVAILABLE', `Alipay: close refused: ${String(result.code)} ${String(result.sub_code ?? '')}`.trim(), {
      orderNo,
      code: result.code,
      subCode: result.sub_code
    })
  }
}
