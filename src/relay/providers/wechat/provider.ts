/**
 * WeChat Pay API v3 adapter (wechatpay-node-v3).
 *
 * - createCheckout: Native pay through the SDK's own transactions_native (request signing
 *   by the SDK), sent by our injected http service (base URL override, response signature
 *   checked with the configured platform key); returns code_url as kind 'qr'.
 * - verifyNotification: Wechatpay-Signature/-Timestamp/-Nonce/-Serial; SHA256withRSA over
 *   "timestamp\nnonce\nbody\n" with the configured platform certificate or public key (the
 *   serial must match), ±tolerance window (default 300 s); AEAD_AES_256_GCM decryption with
 *   node:crypto including the auth tag (not the SDK's decipher_gcm); mchid/appid must be
 *   ours. TRANSACTION.* SUCCESS → payment.succeeded, CLOSED/REVOKED → checkout.expired,
 *   PAYERROR → payment.failed; REFUND.SUCCESS → refund.succeeded (amount.refund).
 *   eventId = the notification id.
 * - refund: POST /v3/refund/domestic/refunds through the SDK's refunds(), out_refund_no =
 *   refundKey (WeChat's own idempotency); refundId = refund_id, as the notification names it.
 * - tradeBill: the SDK's tradebill() and downloadBill(), the file checked by its SHA1 (bill.ts).
 * - Replies: 204 empty once durable; otherwise 4xx/5xx {"code":"FAIL","message":…}.
 */
import Pay from 'wechatpay-node-v3'
import type { Clock } from '../../../node/clock'
import { BillingError, CurrencyMismatch, InvalidInput } from '../../../shared/errors'
import type { Checkout, CheckoutRequest, PaymentProvider, ProviderReply, RefundAnswer, RefundRequest } from '../types'
import type { WechatConfig } from './config'
import { WechatPayHttp } from './http'
import { verifyAndMapWechatNotification } from './notification'
import { wechatRefund } from './refund'
import { wechatClose } from './close'
import { wechatTradeBill } from './bill'
import { platformKeys } from './signature'

export interface WechatProviderDeps {
  clock: Clock
}

/** RFC 3339 in Beijing time, as WeChat Pay's time_expire wants it. */
export function toWechatTime(epochMs: number): string {
  const beijing = new Date(epochMs + 8 * 3600_000).toISOString().slice(0, 19)
  return `${beijing}+08:00`
}

/** description is at most 127 bytes of UTF-8; cut on a character boundary. */
function description(subject: string): string {
  let out = ''
  for (const ch of subject) {
    if (Buffer.byteLength(out + ch, 'utf8') > 127) break
    out += ch
  }
  return out
}

export function createWechatProvider(config: WechatConfig, deps: WechatProviderDeps): PaymentProvider {
  const keys = platformKeys(config)
  const pay = new Pay({
    appid: config.appId,
    mchid: config.mchId,
    serial_no: config.merchantSerialNo,
    // The SDK insists on a "publicKey" but only reads it to derive serial_no, which we pass.
    publicKey: Buffer.from(config.merchantCertificate ?? 'unused: serial_no is configured'),
    privateKey: Buffer.from(config.merchantPrivateKey)
  })
  pay.createHttp(
    new WechatPayHttp({
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      platformKeys: keys,
      toleranceSeconds: config.timestampToleranceSeconds,
      now: () => deps.clock.now()
    })
  )

  async function nativeCheckout(req: CheckoutRequest): Promise<Checkout> {
    if (req.amount.currency !== 'CNY') throw new CurrencyMismatch('CNY', req.amount.currency)
    if (req.amount.amount <= 0) throw new InvalidInput('checkout amount must be positive')
    if (!(req.expiresAt > deps.clock.now())) throw new InvalidInput('checkout expiresAt is in the past')
    let res: Awaited<ReturnType<typeof pay.transactions_native>>
    try {
      res = await pay.transactions_native({
        description: description(req.subject),
        out_trade_no: req.orderNo,
        time_expire: toWechatTime(req.expiresAt),
        notify_url: config.notifyUrl,
        amount: { total: req.amount.amount, currency: 'CNY' }
      })
    } catch (err) {
      throw new BillingError('UNAVAILABLE', `WeChat Pay: native order failed: ${err instanceof Error ? err.message : String(err)}`, {
        orderNo: req.orderNo
      })
    }
    const codeUrl = (res.data as { code_url?: unknown } | undefined)?.code_url
    if (res.status !== 200 || typeof codeUrl !== 'string' || !codeUrl) {
      let code: unknown
      try {
        code = typeof res.error === 'string' ? (JSON.parse(res.error) as { code?: unknown }).code : undefined
      } catch {
        code = undefined
      }
      throw new BillingError('UNAVAILABLE', `WeChat Pay: native order refused (${res.status} ${String(code ?? '')})`.trim(), {
        orderNo: req.orderNo,
        status: res.status,
        code
      })
    }
    return { kind: 'qr', content: codeUrl, providerRef: req.orderNo, expiresAt: req.expiresAt }
  }

  return {
    name: 'wechat',
    createCheckout: nativeCheckout,
    refund: (req: RefundRequest): Promise<RefundAnswer> => wechatRefund(pay, req),
    closeCheckout: (req) => wechatClose(pay, req.orderNo),
    tradeBill: (date: string) => wechatTradeBill(pay, date),
    async verifyNotification(input) {
      return verifyAndMapWechatNotification(config, keys, input)
    },
    accepted(): ProviderReply {
      return { status: 204, body: '', contentType: 'application/json' }
    },
    rejected(message: string, status = 500): ProviderReply {
      // WeChat retries on any status but 200/204; keep it an error status.
      const code = status >= 400 && status <= 599 ? status : 500
      return { status: code, body: JSON.stringify({ code: 'FAIL', message }), contentType: 'application/json' }
    }
  }
}
