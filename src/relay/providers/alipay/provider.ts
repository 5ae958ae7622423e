/**
 * Alipay adapter (alipay-sdk v4, OpenAPI 2.0 gateway, RSA2).
 *
 * - createCheckout: mode 'qr' (default) calls alipay.trade.precreate and returns its qr_code
 *   (kind 'qr'; the response signature is verified by the SDK); 'page' / 'wap' build the
 *   signed alipay.trade.page.pay / alipay.trade.wap.pay URL (kind 'url'). The amount is the
 *   exact yuan string of the relay's price (toMajorString), time_expire comes from expiresAt.
 * - verifyNotification: form-decode, checkNotifySignV2 (never checkNotifySign: '%' breaks it),
 *   sign_type must be RSA2, app_id (and seller_id when configured) must be ours; then
 *   TRADE_SUCCESS / TRADE_FINISHED → payment.succeeded, TRADE_CLOSED → checkout.expired,
 *   refund_fee / gmt_refund → refund.succeeded. eventId = notify_id.
 * - refund: alipay.trade.refund, out_request_no = refund key (refund.ts).
 * - closeCheckout: alipay.trade.close by out_trade_no (close.ts).
 * - tradeBill: alipay.data.dataservice.bill.downloadurl.query, then the zip it names (bill.ts).
 * - Replies: exactly "success" (text/plain) once durable; "fail" makes Alipay retry.
 */
import { AlipaySdk } from 'alipay-sdk'
import type { Clock } from '../../../node/clock'
import { BillingError, CurrencyMismatch, InvalidInput } from '../../../shared/errors'
import { toMajorString } from '../../../shared/money'
import type { Checkout, CheckoutRequest, PaymentProvider, ProviderReply } from '../types'
import type { AlipayConfig } from './config'
import { mapAlipayNotify, verifyAlipayNotify } from './notification'
import { alipayRefund } from './refund'
import { alipayClose } from './close'
import { alipayTradeBill } from './bill'
import { toBeijingTime } from './time'

export interface AlipayProviderDeps {
  clock: Clock
}

const PRODUCT_CODES = { page: 'FAST_INSTANT_TRADE_PAY', wap: 'QUICK_WAP_WAY' } as const

export function createAlipaySdk(config: AlipayConfig): AlipaySdk {
  return new AlipaySdk({
    appId: config.appId,
    privateKey: config.privateKey,
    keyType: 'PKCS8',
    alipayPublicKey: config.alipayPublicKey,
    gateway: config.gateway,
    signType: config.signType,
    timeout: config.timeoutMs,
    camelcase: false
  })
}

function unavailable(message: string, details?: Record<string, unknown>): BillingError {
  return new BillingError('UNAVAILABLE', `Alipay: ${message}`, details)
}

export function createAlipayProvider(config: AlipayConfig, deps: AlipayProviderDeps): PaymentProvider {
  const sdk = createAlipaySdk(config)

  function bizContent(req: CheckoutRequest): Record<string, string> {
    if (req.amount.currency !== 'CNY') throw new CurrencyMismatch('CNY', req.amount.currency)
    if (req.amount.amount <= 0) throw new InvalidInput('checkout amount must be positive')
    if (!(req.expiresAt > deps.clock.now())) throw new InvalidInput('checkout expiresAt is in the past')
    return {
      out_trade_no: req.orderNo,
      total_amount: toMajorString(req.amount),
      subject: req.subject.slice(0, 256),
      time_expire: toBeijingTime(req.expiresAt)
    }
  }

  async function precreate(req: CheckoutRequest): Promise<Checkout> {
    const biz = bizContent(req)
    let result: Record<string, unknown>
    try {
      result = await sdk.exec(
        'alipay.trade.precreate',
        { notify_url: config.notifyUrl, bizContent: biz },
        { validateSign: true }
      )
    } catch (err) {
      throw unavailable(`precreate failed: ${err instanceof Error ? err.message : String(err)}`, {
        orderNo: req.orderNo
      })
    }
    if (result.code !== '10000' || typeof result.qr_code !== 'string' || !result.qr_code) {
      throw unavailable(`precreate refused: ${String(result.code)} ${String(result.sub_code ?? '')}`.trim(), {
        orderNo: req.orderNo,
        code: result.code,
        subCode: result.sub_code,
        subMsg: result.sub_msg
      })
    }
    if (result.out_trade_no !== undefined && result.out_trade_no !== req.orderNo) {
      throw unavailable('precreate answered for another order', { orderNo: req.orderNo })
    }
    return { kind: 'qr', content: result.qr_code, providerRef: req.orderNo, expiresAt: req.expiresAt }
  }

  function pagePay(req: CheckoutRequest, mode: 'page' | 'wap'): Checkout {
    const biz: Record<string, string> = { ...bizContent(req), product_code: PRODUCT_CODES[mode] }
    const quitUrl = req.cancelUrl ?? req.returnUrl
    if (mode === 'wap' && quitUrl) biz.quit_url = quitUrl
    const params: Record<string, unknown> = { bizContent: biz, notifyUrl: config.notifyUrl }
    if (req.returnUrl) params.returnUrl = req.returnUrl
    const method = mode === 'page' ? 'alipay.trade.page.pay' : 'alipay.trade.wap.pay'
    const url = sdk.pageExecute(method, 'GET', params)
    return { kind: 'url', content: url, providerRef: req.orderNo, expiresAt: req.expiresAt }
  }

  return {
    name: 'alipay',
    async createCheckout(req) {
      const mode = req.mode ?? 'qr'
      return mode === 'qr' ? precreate(req) : pagePay(req, mode)
    },
    refund: (req) => alipayRefund(sdk, req),
    closeCheckout: (req) => alipayClose(sdk, req.orderNo),
    tradeBill: (date) => alipayTradeBill(sdk, date, Math.max(config.timeoutMs, 30_000)),
    async verifyNotification(input) {
      const params = verifyAlipayNotify(sdk, config, input)
      return mapAlipayNotify(params, input.receivedAt)
    },
    accepted(): ProviderReply {
      return { status: 200, body: 'success', contentType: 'text/plain; charset=utf-8' }
    },
    rejected(_message: string, status = 400): ProviderReply {
      // Alipay retries on anything but the exact body "success"; the message stays in our logs.
      return { status, body: 'fail', contentType: 'text/plain; charset=utf-8' }
    }
  }
}
