import { randomBytes } from 'node:crypto'
import { afterAll } from 'vitest'
import type { RelayConfig } from '../../src/relay/config/config'
import type { RelayDeps } from '../../src/relay/app'
import type { ProviderName } from '../../src/relay/providers/types'
import { generateAlipayKeys, signAlipayNotification, startFakeAlipayGateway, type AlipayTestKeys, type FakeAlipayGateway } from '../relay/fakes/alipay'
import {
  captureCompletedEvent,
  captureRefundedEvent,
  createPaypalTestPki,
  orderApprovedEvent,
  paypalCertificateSource,
  signPaypalWebhook,
  startFakePaypal,
  TEST_CERT_URL,
  type FakePaypal,
  type PaypalTestPki
} from '../relay/fakes/paypal'
import { refundEvent, sessionCompletedEvent, sessionExpiredEvent, signStripeEvent, startFakeStripe, type FakeStripe } from '../relay/fakes/stripe'
import { buildWechatNotification, generateWechatKeys, startFakeWechatPay, type FakeWechatPay, type WechatTestKeys } from '../relay/fakes/wechat'
import { STRIPE_WEBHOOK_SECRET, stripeEnv } from '../relay/support/stripe'
import type { TestRelay } from '../relay/support/relay'

// The four real provider adapters, built by the relay from provider config (its own wiring,
// src/relay/providers/index.ts) and pointed at the fake provider servers of test/relay/fakes,
// with keys generated here once per test file. Notifications are signed exactly as each
// provider signs them: Alipay RSA2 form posts, WeChat Pay v3 signed envelopes with an
// AES-GCM resource, Stripe-Signature HMACs, PayPal transmission signatures over a test PKI
// (and PayPal's approval is captured by the relay through the fake REST API).
//
// WeChat Pay is configured with the platform *public key* and its id (a production mode):
// openssl-made platform certificates are valid from their real creation time, while these
// tests run the relay at a fixed 2025 clock.

const ALIPAY_APP_ID = '2021000000000042'
const WECHAT_PUB_KEY_ID = 'PUB_KEY_ID_0119000001092025011500000000000001'
const PAYPAL_CLIENT_ID = `client-${randomBytes(6).toString('hex')}`
const PAYPAL_CLIENT_SECRET = randomBytes(24).toString('base64url')
const PAYPAL_WEBHOOK_ID = `WH-ID-${randomBytes(6).toString('hex')}`

interface Fakes {
  alipayKeys: AlipayTestKeys
  alipay: FakeAlipayGateway
  wechatKeys: WechatTestKeys
  wechat: FakeWechatPay
  stripe: FakeStripe
  paypal: FakePaypal
  pki: PaypalTestPki
  certs: ReturnType<typeof paypalCertificateSource>
}

let started: Promise<Fakes> | undefined
/** The clock the fakes answer with: the current world's relay clock. */
let relayNow: () => number = () => Date.now()

afterAll(async () => {
  if (!started) return
  const f = await started
  started = undefined
  await Promise.all([f.alipay.close(), f.wechat.close(), f.stripe.close(), f.paypal.close()])
})

async function startFakes(pkiNow: number): Promise<Fakes> {
  const alipayKeys = generateAlipayKeys()
  const wechatKeys = generateWechatKeys()
  const [alipay, wechat, stripe, paypal, pki] = await Promise.all([
    startFakeAlipayGateway({ appId: ALIPAY_APP_ID, appPublicKey: alipayKeys.appPublicKey, alipayPrivateKey: alipayKeys.alipayPrivateKey }),
    startFakeWechatPay({
      mchId: wechatKeys.mchId,
      appId: wechatKeys.appId,
      merchantCertificate: wechatKeys.merchant.certificate,
      merchantSerial: wechatKeys.merchant.serial,
      platformPrivateKey: wechatKeys.platform.privateKey,
      platformSerial: WECHAT_PUB_KEY_ID,
      now: () => relayNow()
    }),
    startFakeStripe({ apiKey: 'sk_test_relaycore', now: () => relayNow() }),
    startFakePaypal({ clientId: PAYPAL_CLIENT_ID, clientSecret: PAYPAL_CLIENT_SECRET }),
    createPaypalTestPki({ now: pkiNow })
  ])
  const certs = paypalCertificateSource({ [TEST_CERT_URL]: pki.chainPem })
  return { alipayKeys, alipay, wechatKeys, wechat, stripe, paypal, pki, certs }
}

/** What a relay needs to run the real adapters against the fakes. */
export interface ProviderWiring {
  config: Pick<RelayConfig, 'providerSources'>
  deps: Pick<RelayDeps, 'providerDeps'>
}

/** Sends one provider's notifications to a relay. `redeliver` sends the same bytes again. */
export interface Delivery {
  redeliver(): Promise<void>
}

export interface RealProviders {
  wiring: ProviderWiring
  /** A fresh relay database numbers its orders from the start again: forget the old ones. */
  newRelay(t: () => TestRelay): void
  pay(provider: ProviderName, orderNo: string, amount: number): Promise<Delivery>
  refund(provider: ProviderName, orderNo: string, amount: number, refundId: string): Promise<void>
  /** The provider says the checkout expired / was closed unpaid. */
  expire(provider: 'alipay' | 'stripe', orderNo: string): Promise<void>
  /** The provider says the payment failed (WeChat Pay's PAYERROR, with its description). */
  fail(provider: 'wechat', orderNo: string, reason: string): Promise<void>
  /** Whether the relay closed the order's checkout at the provider (a cancel). */
  closed(provider: 'alipay' | 'wechat' | 'stripe', orderNo: string): boolean
  /** Stripe's API answers the next call with an error (a close it refuses). */
  stripeFailsNext(status: number): void
}

/** Starts (once per test file) the fakes and returns the drivers for the current relay. */
export async function realProviders(pkiNow: number): Promise<RealProviders> {
  started ??= startFakes(pkiNow)
  const f = await started
  let current: () => TestRelay = () => {
    throw new Error('no relay yet')
  }
  const t = () => current()
  const paid = new Map<string, { amount: number; refunded: number }>()
  const yuan = (fen: number) => (fen / 100).toFixed(2)
  const digits = (orderNo: string) => orderNo.replace(/\D/g, '').slice(-14).padStart(14, '0')

  const post = async (provider: ProviderName, raw: string, headers: Record<string, string>, ok: number[]) => {
    const r = await t().api('POST', `/v1/notify/${provider}`, { raw, headers })
    if (!ok.includes(r.status)) throw new Error(`notify ${provider}: ${r.status} ${r.text}`)
    return r
  }

  // ---- Alipay: RSA2-signed form posts ----
  const alipayParams = (orderNo: string, amount: number) => ({
    app_id: ALIPAY_APP_ID,
    out_trade_no: orderNo,
    trade_no: `2025011522001${digits(orderNo)}`,
    total_amount: yuan(amount),
    receipt_amount: yuan(amount),
    subject: '充值',
    gmt_payment: '2025-01-15 12:00:05'
  })
  const alipaySend = async (params: Record<string, string>) => {
    const body = signAlipayNotification(params, f.alipayKeys.alipayPrivateKey)
    const send = async () => {
      const r = await post('alipay', body, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, [200])
      if (r.text !== 'success') throw new Error(`alipay answered ${r.text}`)
    }
    await send()
    return { redeliver: send }
  }

  // ---- WeChat Pay: signed v3 envelopes, AES-256-GCM resources ----
  const wechatSend = async (eventType: string, resource: Record<string, unknown>, id: string) => {
    const n = buildWechatNotification({
      eventType,
      resource,
      apiV3Key: f.wechatKeys.apiV3Key,
      platformPrivateKey: f.wechatKeys.platform.privateKey,
      platformSerial: WECHAT_PUB_KEY_ID,
      timestamp: Math.floor(t().clock.now() / 1000),
      id
    })
    const send = async () => {
      await post('wechat', n.rawBody.toString('utf8'), n.headers, [200, 204])
    }
    await send()
    return { redeliver: send }
  }
  const wechatTransaction = (orderNo: string, total: number) => ({
    mchid: f.wechatKeys.mchId,
    appid: f.wechatKeys.appId,
    out_trade_no: orderNo,
    transaction_id: `4200000000${digits(orderNo)}`,
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    success_time: '2025-01-15T12:00:05+08:00',
    payer: { openid: 'o-test' },
    amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' }
  })

  // ---- Stripe: Stripe-Signature over the raw JSON ----
  const stripeSend = async (event: Record<string, unknown>) => {
    const body = JSON.stringify(event)
    const send = async () => {
      const header = signStripeEvent(body, STRIPE_WEBHOOK_SECRET, Math.floor(t().clock.now() / 1000))
      await post('stripe', body, { 'content-type': 'application/json', 'stripe-signature': header }, [200])
    }
    await send()
    return { redeliver: send }
  }

  // ---- PayPal: transmission signatures by the test PKI's leaf ----
  const paypalSend = async (event: object) => {
    const body = JSON.stringify(event)
    const send = async () => {
      const headers = await signPaypalWebhook(body, {
        key: f.pki.leaf.keys.privateKey,
        certUrl: TEST_CERT_URL,
        webhookId: PAYPAL_WEBHOOK_ID,
        transmissionTime: new Date(t().clock.now() - 1000)
      })
      await post('paypal', body, { ...headers, 'content-type': 'application/json' }, [200])
    }
    await send()
    return { redeliver: send }
  }
  const paypalOrderOf = (orderNo: string) => {
    const found = [...f.paypal.orders.values()].filter((o) => o.requestBody?.purchase_units?.[0]?.custom_id === orderNo).at(-1)
    if (!found) throw new Error(`PayPal has no order for ${orderNo}`)
    return found
  }
  const ppMoney = (fen: number) => ({ currency_code: 'CNY', value: yuan(fen) })

  return {
    wiring: {
      config: {
        providerSources: {
          env: {
            ALIPAY_APP_ID,
            ALIPAY_PRIVATE_KEY: f.alipayKeys.appPrivateKey.replace(/\n/g, '\\n'),
            ALIPAY_PUBLIC_KEY: f.alipayKeys.alipayPublicKey,
            ALIPAY_GATEWAY: f.alipay.gateway,
            ALIPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/alipay',
            WECHATPAY_APP_ID: f.wechatKeys.appId,
            WECHATPAY_MCH_ID: f.wechatKeys.mchId,
            WECHATPAY_PRIVATE_KEY: f.wechatKeys.merchant.privateKey,
            WECHATPAY_CERTIFICATE: f.wechatKeys.merchant.certificate,
            WECHATPAY_API_V3_KEY: f.wechatKeys.apiV3Key,
            WECHATPAY_PLATFORM_PUBLIC_KEY: f.wechatKeys.platform.publicKey,
            WECHATPAY_PLATFORM_PUBLIC_KEY_ID: WECHAT_PUB_KEY_ID,
            WECHATPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/wechat',
            WECHATPAY_BASE_URL: f.wechat.baseUrl,
            ...stripeEnv(f.stripe),
            PAYPAL_CLIENT_ID,
            PAYPAL_CLIENT_SECRET,
            PAYPAL_WEBHOOK_ID,
            PAYPAL_BASE_URL: f.paypal.baseUrl,
            PAYPAL_RETURN_URL: 'https://app.example/paypal/return',
            PAYPAL_CANCEL_URL: 'https://app.example/paypal/cancel',
            PAYPAL_TRUSTED_CA_PEM: f.pki.caPem
          },
          file: {}
        }
      },
      deps: { providerDeps: { certificateSource: f.certs } }
    },

    newRelay(relay) {
      current = relay
      relayNow = () => relay().clock.now()
      f.paypal.forgetRequestIds()
      paid.clear()
    },

    async pay(provider, orderNo, amount) {
      paid.set(orderNo, { amount, refunded: 0 })
      switch (provider) {
        case 'alipay':
          return alipaySend({ notify_id: `ntf-pay-${orderNo}`, ...alipayParams(orderNo, amount), trade_status: 'TRADE_SUCCESS' })
        case 'wechat':
          return wechatSend('TRANSACTION.SUCCESS', wechatTransaction(orderNo, amount), `EV-pay-${orderNo}`)
        case 'stripe': {
          const created = Math.floor(t().clock.now() / 1000)
          return stripeSend(sessionCompletedEvent({ orderNo, amount, currency: 'cny', created, paid: true, eventId: `evt_pay_${orderNo}` }))
        }
        case 'paypal': {
          // The buyer approves; the approval event makes the relay capture through PayPal.
          const order = paypalOrderOf(orderNo)
          f.paypal.approve(order.id)
          const createTime = new Date(t().clock.now() - 2000)
          const approved = await paypalSend(orderApprovedEvent({ orderId: order.id, orderNo, amount: ppMoney(amount), createTime, id: `WH-APPROVED-${orderNo}` }))
          const captureId = f.paypal.orders.get(order.id)?.captureId
          if (!captureId) throw new Error(`the relay did not capture PayPal order ${order.id}`)
          return {
            async redeliver() {
              await approved.redeliver()
              // The capture's own completion event names the same payment.
              await paypalSend(captureCompletedEvent({ captureId, orderId: order.id, orderNo, amount: ppMoney(amount), createTime, id: `WH-COMPLETED-${orderNo}` }))
            }
          }
        }
      }
    },

    async refund(provider, orderNo, amount, refundId) {
      const p = paid.get(orderNo)
      if (!p) throw new Error(`refund of ${orderNo}, which was not paid here`)
      p.refunded += amount
      switch (provider) {
        case 'alipay':
          // refund_fee is the running total; the last refund closes the trade.
          await alipaySend({
            notify_id: `ntf-refund-${refundId}`,
            ...alipayParams(orderNo, p.amount),
            trade_status: p.refunded >= p.amount ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
            refund_fee: yuan(p.refunded),
            gmt_refund: '2025-01-16 10:00:00',
            out_biz_no: refundId
          })
          return
        case 'wechat':
          await wechatSend(
            'REFUND.SUCCESS',
            {
              mchid: f.wechatKeys.mchId,
              out_trade_no: orderNo,
              transaction_id: `4200000000${digits(orderNo)}`,
              out_refund_no: `out-${refundId}`,
              refund_id: refundId,
              refund_status: 'SUCCESS',
              success_time: '2025-01-16T10:00:00+08:00',
              amount: { total: p.amount, refund: amount, payer_total: p.amount, payer_refund: amount }
            },
            `EV-refund-${refundId}`
          )
          return
        case 'stripe': {
          const created = Math.floor(t().clock.now() / 1000)
          await stripeSend(
            refundEvent('refund.updated', {
              refundId,
              amount,
              currency: 'cny',
              created,
              paymentIntentId: `pi_${orderNo}`,
              metadata: { order_no: orderNo },
              eventId: `evt_refund_${refundId}`
            })
          )
          return
        }
        case 'paypal': {
          const captureId = f.paypal.orders.get(paypalOrderOf(orderNo).id)?.captureId
          if (!captureId) throw new Error(`PayPal order of ${orderNo} was not captured`)
          const createTime = new Date(t().clock.now() - 2000)
          await paypalSend(captureRefundedEvent({ refundId, captureId, amount: ppMoney(amount), orderNo, createTime, id: `WH-REFUND-${refundId}` }))
          return
        }
      }
    },

    async expire(provider, orderNo) {
      if (provider === 'alipay') {
        await alipaySend({ notify_id: `ntf-close-${orderNo}`, app_id: ALIPAY_APP_ID, out_trade_no: orderNo, trade_no: `2025011522001${digits(orderNo)}`, trade_status: 'TRADE_CLOSED' })
        return
      }
      const created = Math.floor(t().clock.now() / 1000)
      await stripeSend(sessionExpiredEvent({ orderNo, amount: 0, currency: 'cny', created, eventId: `evt_expired_${orderNo}` }))
    },

    stripeFailsNext(status) {
      f.stripe.failNext(status)
    },

    closed(provider, orderNo) {
      if (provider === 'alipay') return f.alipay.trades.get(orderNo)?.closed === true
      if (provider === 'wechat') return f.wechat.closed.has(orderNo)
      return [...f.stripe.sessions.values()].some((s) => s['client_reference_id'] === orderNo && s['status'] === 'expired')
    },

    async fail(_provider, orderNo, reason) {
      const { mchid, appid, out_trade_no, trade_type } = wechatTransaction(orderNo, 0)
      await wechatSend(
        'TRANSACTION.PAYERROR',
        { mchid, appid, out_trade_no, trade_type, trade_state: 'PAYERROR', trade_state_desc: reason },
        `EV-fail-${orderNo}`
      )
    }
  }
}
