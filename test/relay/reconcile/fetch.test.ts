import { afterAll, beforeAll, expect, it } from 'vitest'
import { generateAlipayKeys, startFakeAlipayGateway, type FakeAlipayGateway } from '../fakes/alipay'
import { generateWechatKeys, startFakeWechatPay, type FakeWechatPay, type WechatTestKeys } from '../fakes/wechat'
import { startTestRelay, type TestRelay } from '../support/relay'
import { addOperator, signIn } from '../console/support'

// Bills fetched through the providers' bill APIs with the real SDKs: Alipay's
// bill.downloadurl.query and the zip it names (GBK inside, GBK file names), WeChat Pay's
// tradebill and downloadBill checked by SHA1; then matched as an uploaded bill is. A day not
// billed yet, a damaged download, a day not over and a provider not configured are refused,
// and nothing is imported for them. The matching and its store code are the upload's, which
// test/relay/reconcile/import.test.ts runs on both stores; this file runs on SQLite.

const APP_ID = '2021000000000099'
const alipayKeys = generateAlipayKeys()
let wechatKeys: WechatTestKeys
let alipay: FakeAlipayGateway
let wechat: FakeWechatPay
let relayNow: (() => number) | undefined

beforeAll(async () => {
  wechatKeys = generateWechatKeys()
  alipay = await startFakeAlipayGateway({ appId: APP_ID, appPublicKey: alipayKeys.appPublicKey, alipayPrivateKey: alipayKeys.alipayPrivateKey })
  wechat = await startFakeWechatPay({
    mchId: wechatKeys.mchId,
    appId: wechatKeys.appId,
    merchantCertificate: wechatKeys.merchant.certificate,
    merchantSerial: wechatKeys.merchant.serial,
    platformPrivateKey: wechatKeys.platform.privateKey,
    platformSerial: wechatKeys.platform.serial,
    now: () => relayNow?.() ?? Date.now()
  })
})
afterAll(async () => {
  await alipay.close()
  await wechat.close()
})

const ALIPAY_HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注'
const alipayLine = (trade: string, orderNo: string, yuan: string) =>
  `${trade},${orderNo},交易,充值,2025-01-14 12:00:00,2025-01-14 12:00:09,,,,,b@example.com,${yuan},${yuan},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,0.00,0.00,`
const WECHAT_HEADER =
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注'
const wechatLine = (date: string, trade: string, orderNo: string, yuan: string) =>
  `\`${date} 12:00:09,\`wx1,\`1900000001,\`0,\`,\`${trade},\`${orderNo},\`oUser1,\`NATIVE,\`SUCCESS,\`OTHERS,\`CNY,\`${yuan},\`0.00,\`0,\`0,\`0.00,\`0.00,\`,\`,\`充值,\`,\`0.00000,\`0.60%,\`${yuan},\`0.00,\``

function env(): Record<string, string> {
  return {
    ALIPAY_APP_ID: APP_ID,
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
  }
}

/** A relay at `at` with two paid recharges by `provider`; `finance()` signs a finance operator in at the relay's time. */
async function world(provider: 'alipay' | 'wechat', at: number, only?: 'alipay') {
  const all = env()
  const t: TestRelay = await startTestRelay({
    config: { providerSources: { env: only ? Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('ALIPAY'))) : all, file: {} } }
  })
  relayNow = () => t.clock.now()
  t.clock.set(at)
  const { core } = t.relay
  const { accountId, code } = await core.accounts.createEnrolment(undefined, 'bills')
  const device = { accountId, deviceId: (await core.accounts.enrol(code, 'a')).deviceId }
  const orders: string[] = []
  for (let i = 0; i < 2; i++) {
    const { order } = await core.checkouts.create(device, `bill-${provider}-${i}`, { provider, item: { kind: 'recharge', amount: { amount: 10_000 * (i + 1), currency: 'CNY' } } })
    await core.store.unit((tx) => core.applier.apply(tx, provider, { type: 'payment.succeeded', eventId: `n${i}`, orderNo: order.orderNo, providerPaymentId: `T${i}`, amount: order.amount, occurredAt: 0 }))
    orders.push(order.orderNo)
  }
  await addOperator(t, 'finance@example.com', 'finance')
  return { t, orders, finance: () => signIn(t, 'finance@example.com') }
}

it('Alipay: fetches the day’s zip through the SDK, reads its GBK detail file, lists the differences', async () => {
  const { t, orders, finance: signInFinance } = await world('alipay', Date.parse('2025-01-14T12:00:00+08:00'))
  let finance = await signInFinance()
  alipay.putBill('2025-01-14', ['#支付宝业务明细查询', ALIPAY_HEADER, alipayLine('T0', orders[0]!, '100.00'), alipayLine('T1', orders[1]!, '200.50')].join('\r\n'))
  // The day is not over yet.
  const early = await finance.call('POST', '/v1/console/reconciliation/alipay/fetch', { body: { date: '2025-01-14' } })
  expect(early.status).toBe(400)
  expect(early.body.error.details.field).toBe('date')
  t.clock.set(Date.parse('2025-01-15T10:00:00+08:00'))
  finance = await signInFinance()

  const r = await finance.call('POST', '/v1/console/reconciliation/alipay/fetch', { body: { date: '2025-01-14' } })
  expect(r.status, r.text).toBe(200)
  expect(r.body.run).toMatchObject({ provider: 'alipay', lines: 2, differences: 1, periodFrom: Date.parse('2025-01-14T00:00:00+08:00'), periodTo: Date.parse('2025-01-15T00:00:00+08:00') })
  expect(r.body.differences.map((d: { kind: string; orderNo: string; billAmount: number }) => [d.kind, d.orderNo, d.billAmount])).toEqual([['amount_differs', orders[1], 20050]])
  const asked = alipay.requests.filter((q) => q.method === 'alipay.data.dataservice.bill.downloadurl.query')
  expect(asked.at(-1)).toMatchObject({ signatureValid: true, biz: { bill_type: 'trade', bill_date: '2025-01-14' } })

  // A day Alipay has no bill for: said so, nothing imported.
  const none = await finance.call('POST', '/v1/console/reconciliation/alipay/fetch', { body: { date: '2025-01-13' } })
  expect(none.status).toBe(503)
  expect(none.body.error.message).toContain('no bill for 2025-01-13 yet')
  for (const date of ['2025-1-14', '2025-02-30', 'yesterday']) {
    expect((await finance.call('POST', '/v1/console/reconciliation/alipay/fetch', { body: { date } })).status, date).toBe(400)
  }
  expect((await finance.call('POST', '/v1/console/reconciliation/stripe/fetch', { body: { date: '2025-01-14' } })).status).toBe(400)
  expect((await finance.call('GET', '/v1/console/reconciliation')).body.runs).toHaveLength(1)
})

it('WeChat Pay: tradebill then downloadBill through the SDK, the file checked by its SHA1; a damaged download imports nothing', async () => {
  // The platform certificate is valid from its creation (now): the bill day is today (China time), fetched tomorrow.
  const now = Date.now() + 1000
  const today = new Date(now + 8 * 3600_000).toISOString().slice(0, 10)
  const { t, orders, finance: signInFinance } = await world('wechat', now)
  wechat.putBill(today, [WECHAT_HEADER, wechatLine(today, '4200000001', orders[0]!, '100.00'), '总交易单数,应结订单总金额', '`1,`100.00'].join('\r\n'))
  t.clock.set(Date.parse(`${today}T12:00:00+08:00`) + 86_400_000)
  const finance = await signInFinance()

  wechat.damageNextBill()
  const damaged = await finance.call('POST', '/v1/console/reconciliation/wechat/fetch', { body: { date: today } })
  expect(damaged.status).toBe(503)
  expect(damaged.body.error.message).toContain('does not match its hash')
  expect((await finance.call('GET', '/v1/console/reconciliation')).body.runs).toHaveLength(0)

  const r = await finance.call('POST', '/v1/console/reconciliation/wechat/fetch', { body: { date: today } })
  expect(r.status, r.text).toBe(200)
  expect(r.body.run).toMatchObject({ provider: 'wechat', lines: 1, differences: 1 })
  expect(r.body.differences.map((d: { kind: string; orderNo: string }) => [d.kind, d.orderNo])).toEqual([['missing_there', orders[1]]])
  expect(wechat.requests.filter((q) => q.path.startsWith('/v3/bill')).every((q) => q.authorized)).toBe(true)

  const none = await finance.call('POST', '/v1/console/reconciliation/wechat/fetch', { body: { date: '2025-01-01' } })
  expect(none.status).toBe(503)
  expect(none.body.error.message).toContain('no bill for 2025-01-01 yet')
})

it('a provider this relay has not configured: upload its bill instead', async () => {
  const { t, finance: signInFinance } = await world('alipay', Date.parse('2025-01-14T12:00:00+08:00'), 'alipay')
  t.clock.set(Date.parse('2025-01-15T10:00:00+08:00'))
  const finance = await signInFinance()
  const r = await finance.call('POST', '/v1/console/reconciliation/wechat/fetch', { body: { date: '2025-01-14' } })
  expect(r.status).toBe(422)
  expect(r.body.error).toMatchObject({ code: 'METHOD_UNAVAILABLE', details: { method: 'wechat' } })
  // A viewer may not fetch at all.
  await addOperator(t, 'viewer@example.com', 'viewer')
  const viewer = await signIn(t, 'viewer@example.com')
  expect((await viewer.call('POST', '/v1/console/reconciliation/alipay/fetch', { body: { date: '2025-01-14' } })).status).toBe(403)
})
