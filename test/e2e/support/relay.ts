import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createRelay, type Relay } from '../../../src/relay/app'
import { defaultConfig, type RelayConfig } from '../../../src/relay/config/config'
import { generateSigningKey } from '../../../src/relay/feed/keys'
import { latestCatalog, publishCatalog } from '../../../src/relay/catalog/catalog'
import { BUILT_IN_CATALOG } from '../../../src/shared/catalog'
import type { FapiaoRequest } from '../../../src/shared/billing/invoices'
import type { FeedData, FeedRecordType } from '../../../src/shared/relay-contract'
import { relayBonus, relayNetWallet } from '../../support/relay-ledger'
import {
  generateAlipayKeys,
  signAlipayNotification,
  startFakeAlipayGateway,
  type AlipayTestKeys,
  type FakeAlipayGateway
} from '../../relay/fakes/alipay'
import { buildWechatNotification, generateWechatKeys, startFakeWechatPay, type FakeWechatPay, type WechatTestKeys } from '../../relay/fakes/wechat'

// The REAL relay for the browser tests: createRelay in-process on 127.0.0.1, on the system
// clock, with the real Alipay adapter (alipay-sdk) and WeChat Pay adapter (wechatpay-node-v3)
// configured against their fake gateways; every key is generated here. Notifications are
// signed as the providers sign them and POSTed over HTTP. The relay can be stopped and
// started again on the same port and files (an outage the app must ride out).

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef'
const ALIPAY_APP_ID = '2021000000000042'

export interface E2eRelay {
  readonly url: string
  readonly publicKey: string
  readonly alipay: FakeAlipayGateway
  readonly wechat: FakeWechatPay
  /** A one-time enrolment code for a new account. */
  enrolmentCode(): Promise<string>
  /** The checkout content the relay stored for an order (what the provider's gateway answered). */
  checkoutOf(orderNo: string): { kind: string; content: string }
  /** The types of the account's feed records, oldest first. */
  feedTypes(accountId: string): string[]
  /** Another device of the account starts a plan's trial, and the relay confirms it. */
  otherDeviceTrial(accountId: string, planCode: 'BASIC' | 'PREMIUM', startedAt: number): Promise<void>
  /** The outbox records the account's devices pushed: kind per id. */
  outboxKinds(accountId: string): string[]
  /** Appends a 'notice' record to the account's feed with the relay's own feed append. */
  notice(accountId: string, data: FeedData<'notice'>): Promise<void>
  /** Alipay's signed async notification: the trade succeeded. Resolves with the relay's reply. */
  alipayPaid(orderNo: string, amount: number): Promise<{ status: number; text: string }>
  /** Alipay's notification of a refund; refund_fee is the running total. */
  alipayRefunded(orderNo: string, paid: number, refundedTotal: number, refundNo: string): Promise<{ status: number; text: string }>
  /** WeChat Pay's v3 notification: signed envelope, AEAD_AES_256_GCM resource. */
  wechatPaid(orderNo: string, amount: number): Promise<{ status: number; text: string }>
  /** Appends a record to the account's feed as the relay does (signed when served). */
  appendFeed<T extends FeedRecordType>(accountId: string, type: T, data: FeedData<T>): Promise<void>
  /** POST to an admin route with the admin token (coupons, grants, fapiao decisions); the answer's body, or it throws. */
  admin(path: string, body?: unknown): Promise<unknown>
  /** A coupon made through the admin routes, with `code` as its promotion code when given; the coupon id. */
  coupon(input: Record<string, unknown>, code?: string): Promise<string>
  /** The coupon granted to the account (admin route): the grant arrives as a coupon_grant record. */
  grant(couponId: string, accountId: string, grantId?: string): Promise<string>
  /** The relay's state of a grant. */
  grantState(grantId: string): string | undefined
  /** The relay's state of an order. */
  orderState(orderNo: string): string | undefined
  /** The operator issues the fapiao of a requested invoice (admin route), its file a small PDF. */
  issueFapiao(invoiceNumber: string, fapiaoNumber: string): Promise<FapiaoRequest>
  /** Publishes the next catalog version: the built-in one with `over`, effective now. */
  publishCatalog(over: Record<string, unknown>): Promise<void>
  /** The account's wallet on the relay's ledger (balance − debt). */
  wallet(accountId: string): number
  /** The account's promotion credit (recharge bonuses) on the relay's ledger. */
  bonus(accountId: string): number
  /** The account's 开票信息 as the relay keeps them. */
  billingDetails(accountId: string): Promise<unknown>
  /** An operator of the console (created as the CLI creates one); resolves when it can sign in. */
  operator(email: string, role: 'viewer' | 'support' | 'finance' | 'admin', password: string): Promise<void>
  /** Stops the relay (in-flight requests finish); its files stay. */
  stop(): Promise<void>
  /** Starts it again on the same port, files and key; `without`: with that provider switched off (its credentials removed). */
  restart(opts?: { without?: 'wechat' }): Promise<void>
  close(): Promise<void>
}

const yuan = (fen: number): string => (fen / 100).toFixed(2)

export async function startE2eRelay(): Promise<E2eRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-relay-'))
  const alipayKeys: AlipayTestKeys = generateAlipayKeys()
  const wechatKeys: WechatTestKeys = generateWechatKeys()
  const alipay = await startFakeAlipayGateway({
    appId: ALIPAY_APP_ID,
    appPublicKey: alipayKeys.appPublicKey,
    alipayPrivateKey: alipayKeys.alipayPrivateKey
  })
  const wechat = await startFakeWechatPay({
    mchId: wechatKeys.mchId,
    appId: wechatKeys.appId,
    merchantCertificate: wechatKeys.merchant.certificate,
    merchantSerial: wechatKeys.merchant.serial,
    platformPrivateKey: wechatKeys.platform.privateKey,
    platformSerial: wechatKeys.platform.serial
  })
  let config: RelayConfig = defaultConfig({
    dataDir,
    port: 0,
    durability: 'normal',
    adminToken: ADMIN_TOKEN,
    logLevel: 'warn',
    signingKey: generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    rateLimit: { devicePerMinute: 1_000_000, addressPerMinute: 1_000_000, notifyPerMinute: 1_000_000 },
    providerSources: {
      env: {
        ALIPAY_APP_ID,
        ALIPAY_PRIVATE_KEY: alipayKeys.appPrivateKey,
        ALIPAY_PUBLIC_KEY: alipayKeys.alipayPublicKey,
        ALIPAY_GATEWAY: alipay.gateway,
        ALIPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/alipay',
        WECHATPAY_APP_ID: wechatKeys.appId,
        WECHATPAY_MCH_ID: wechatKeys.mchId,
        WECHATPAY_PRIVATE_KEY: wechatKeys.merchant.privateKey,
        WECHATPAY_CERTIFICATE: wechatKeys.merchant.certificate,
        WECHATPAY_API_V3_KEY: wechatKeys.apiV3Key,
        WECHATPAY_PLATFORM_CERTIFICATE: wechatKeys.platform.certificate,
        WECHATPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/wechat',
        WECHATPAY_BASE_URL: wechat.baseUrl
      },
      file: {}
    }
  })
  // Warnings and errors only; a quiet sink keeps the test output readable.
  const logs: string[] = []
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'))
      cb()
    }
  })
  let relay: Relay = createRelay(config, { logStream })
  const url = await relay.start()
  // Restarts listen on the same port: the app keeps the URL it enrolled with.
  config = { ...config, port: Number(new URL(url).port) }
  const off = relay.disabledProviders.filter((p) => p.name === 'alipay' || p.name === 'wechat')
  if (off.length) throw new Error(`relay providers disabled: ${JSON.stringify(off)}`)

  const post = async (path: string, body: string | Buffer, headers: Record<string, string>) => {
    const res = await fetch(url + path, { method: 'POST', headers, body })
    return { status: res.status, text: await res.text() }
  }
  const alipayNotify = (params: Record<string, string>) =>
    post('/v1/notify/alipay', signAlipayNotification(params, alipayKeys.alipayPrivateKey), {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8'
    })
  const trade = (orderNo: string, amount: number) => ({
    app_id: ALIPAY_APP_ID,
    out_trade_no: orderNo,
    trade_no: `2025011522001${orderNo.slice(-8)}`,
    trade_status: 'TRADE_SUCCESS',
    total_amount: yuan(amount),
    receipt_amount: yuan(amount),
    subject: 'recharge',
    gmt_payment: '2025-01-15 12:00:05'
  })
  let notifySeq = 0
  const adminPost = async (path: string, body: unknown = {}): Promise<unknown> => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`)
    return JSON.parse(text) as unknown
  }

  return {
    url,
    publicKey: relay.key.publicKeyBase64,
    alipay,
    wechat,
    async enrolmentCode() {
      const res = await fetch(url + '/v1/admin/enrolments', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: '{}'
      })
      if (res.status !== 200) throw new Error(`enrolment code: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { code: string }).code
    },
    async otherDeviceTrial(accountId, planCode, startedAt) {
      const { code } = await relay.core.accounts.createEnrolment(accountId, 'other')
      const other = await relay.core.accounts.enrol(code, 'another computer')
      const ack = await relay.core.outbox.accept({ accountId, deviceId: other.deviceId }, [
        { id: `trl-other-${planCode}`, kind: 'trial_start', planCode, period: 'monthly', startedAt, endsAt: startedAt + 7 * 86_400_000 }
      ])
      if (ack.accepted.length !== 1) throw new Error(`the other device's trial was not accepted: ${JSON.stringify(ack)}`)
    },
    async notice(accountId, data) {
      await relay.db.unit((tx) => relay.core.feed.append(tx, accountId, 'notice', data))
    },
    checkoutOf(orderNo) {
      const row = relay.db.sqlite.prepare('SELECT checkout_json AS c FROM orders WHERE order_no = ?').get(orderNo) as { c: string } | undefined
      if (!row) throw new Error(`no relay order ${orderNo}`)
      return JSON.parse(row.c) as { kind: string; content: string }
    },
    feedTypes: (accountId) =>
      (relay.db.sqlite.prepare('SELECT type FROM feed WHERE account_id = ? ORDER BY seq').all(accountId) as { type: string }[]).map((r) => r.type),
    outboxKinds: (accountId) =>
      (relay.db.sqlite.prepare('SELECT kind FROM outbox_records WHERE account_id = ? ORDER BY received_at, id').all(accountId) as { kind: string }[]).map(
        (r) => r.kind
      ),
    alipayPaid: (orderNo, amount) => alipayNotify({ notify_id: `e2e-ntf-${++notifySeq}`, ...trade(orderNo, amount) }),
    alipayRefunded: (orderNo, paid, refundedTotal, refundNo) =>
      alipayNotify({
        notify_id: `e2e-ntf-${++notifySeq}`,
        ...trade(orderNo, paid),
        refund_fee: yuan(refundedTotal),
        gmt_refund: '2025-01-16 10:00:00.123',
        out_biz_no: refundNo
      }),
    wechatPaid(orderNo, amount) {
      const n = buildWechatNotification({
        eventType: 'TRANSACTION.SUCCESS',
        resource: {
          mchid: wechatKeys.mchId,
          appid: wechatKeys.appId,
          out_trade_no: orderNo,
          transaction_id: `42000000002025011500${orderNo.slice(-8)}`,
          trade_type: 'NATIVE',
          trade_state: 'SUCCESS',
          trade_state_desc: '支付成功',
          success_time: new Date().toISOString().replace('Z', '+00:00'),
          payer: { openid: 'o-e2e' },
          amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' }
        },
        apiV3Key: wechatKeys.apiV3Key,
        platformPrivateKey: wechatKeys.platform.privateKey,
        platformSerial: wechatKeys.platform.serial,
        timestamp: Math.floor(Date.now() / 1000),
        id: `EV-e2e-${++notifySeq}`
      })
      return post('/v1/notify/wechat', n.rawBody, n.headers)
    },
    async appendFeed(accountId, type, data) {
      await relay.db.unit((tx) => relay.core.feed.append(tx, accountId, type, data))
    },
    admin: adminPost,
    async operator(email, role, password) {
      await relay.core.operators.add({ email, role, password }, { operatorId: null, name: 'e2e', address: '127.0.0.1' })
    },
    async coupon(input, code) {
      const id = ((await adminPost('/v1/admin/coupons', input)) as { coupon: { id: string } }).coupon.id
      if (code) await adminPost(`/v1/admin/coupons/${id}/codes`, { code })
      return id
    },
    async grant(couponId, accountId, grantId) {
      const r = (await adminPost(`/v1/admin/coupons/${couponId}/grants`, { accountId, ...(grantId ? { grantId } : {}) })) as { grant: { grantId: string } }
      return r.grant.grantId
    },
    orderState: (orderNo) => (relay.db.sqlite.prepare('SELECT state FROM orders WHERE order_no = ?').get(orderNo) as { state: string } | undefined)?.state,
    grantState: (grantId) => (relay.db.sqlite.prepare('SELECT state FROM coupon_grants WHERE id = ?').get(grantId) as { state: string } | undefined)?.state,
    async issueFapiao(invoiceNumber, fapiaoNumber) {
      const file = { type: 'pdf', base64: Buffer.from('%PDF-1.4\n% fapiao\n%%EOF\n').toString('base64') }
      const r = (await adminPost(`/v1/admin/invoices/${encodeURIComponent(invoiceNumber)}/fapiao`, { decision: 'issued', fapiaoNumber, file })) as { fapiao: FapiaoRequest }
      return r.fapiao
    },
    async publishCatalog(over) {
      const latest = await relay.core.store.read((tx) => latestCatalog(tx))
      await publishCatalog(relay.core.store, Date.now(), { ...BUILT_IN_CATALOG, version: latest.version + 1, effectiveFrom: Date.now(), ...over })
    },
    wallet: (accountId) => relayNetWallet(relay.db.sqlite, accountId),
    bonus: (accountId) => relayBonus(relay.db.sqlite, accountId),
    billingDetails: (accountId) => relay.core.invoicing.details.get(accountId),
    stop: () => relay.stop(),
    async restart(opts = {}) {
      const env = Object.fromEntries(Object.entries(config.providerSources.env).filter(([k]) => !(opts.without === 'wechat' && k.startsWith('WECHATPAY_'))))
      relay = createRelay({ ...config, providerSources: { ...config.providerSources, env } }, { logStream })
      await relay.start()
    },
    async close() {
      await relay.stop()
      await alipay.close()
      await wechat.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
