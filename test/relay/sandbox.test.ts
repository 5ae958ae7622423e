import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/relay/config/config'
import { startTestRelay } from './support/relay'

// The sandbox providers of `npm run demo` (RELAY_SANDBOX=1): loopback only; a checkout's page on
// the relay pays, fails or expires the order by a signed notification through the real
// notification path; a notification not signed by the sandbox is refused.

describe('relay sandbox', () => {
  it('is refused on anything but a loopback address, naming the variable', () => {
    expect(() => loadConfig({ RELAY_SANDBOX: '1', RELAY_HOST: '0.0.0.0' })).toThrow(ConfigError)
    expect(() => loadConfig({ RELAY_SANDBOX: '1', RELAY_HOST: '0.0.0.0' })).toThrow(/RELAY_SANDBOX.*loopback/)
    expect(loadConfig({ RELAY_SANDBOX: '1', RELAY_HOST: '127.0.0.1' }).sandbox).toBe(true)
    expect(loadConfig({}).sandbox).toBe(false)
  })

  it('pays an Alipay QR and a Stripe link from its pages; a replay pays nothing twice; a forged notification is refused', async () => {
    const t = await startTestRelay({ config: { sandbox: true } })
    try {
      const { core } = t.relay
      expect([...core.providers.keys()].sort()).toEqual(['alipay', 'paypal', 'stripe', 'wechat'])
      const { accountId, code } = await core.accounts.createEnrolment(undefined, 'sbx')
      const device = await core.accounts.enrol(code, 'sbx')
      const ctx = { accountId, deviceId: device.deviceId }
      const qr = await core.checkouts.create(ctx, 'sandbox-qr-1', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } })
      const link = await core.checkouts.create(ctx, 'sandbox-url-1', { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 3000, currency: 'CNY' } } })
      expect(qr.checkout).toMatchObject({ kind: 'qr', content: `${t.url}/sandbox/checkout/alipay/${qr.order.orderNo}` })
      expect(link.checkout).toMatchObject({ kind: 'url', content: `${t.url}/sandbox/checkout/stripe/${link.order.orderNo}` })

      const cashier = await fetch(`${t.url}/sandbox`).then((r) => r.text())
      expect(cashier).toContain(`/sandbox/checkout/alipay/${qr.order.orderNo}`)
      expect(cashier).toContain(`/sandbox/checkout/stripe/${link.order.orderNo}`)
      const pageHtml = await fetch(qr.checkout.content).then((r) => r.text())
      expect(pageHtml).toContain('¥50.00')
      expect(pageHtml).toContain('扫码支付')

      // As the page's form posts it.
      const pay = (url: string) => fetch(`${url}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
      expect((await pay(qr.checkout.content)).status).toBe(200)
      expect((await pay(qr.checkout.content)).status).toBe(200)
      expect((await pay(link.checkout.content)).status).toBe(200)
      const wallet = await t.relay.db.read((tx) => core.wallet.state(tx, accountId))
      expect(wallet.balance.amount).toBe(8000)
      expect(t.relay.db.sqlite.prepare("SELECT kind, count(*) AS n FROM ledger_transfers WHERE kind = 'payment' GROUP BY kind").all()).toEqual([{ kind: 'payment', n: 2 }])

      // Fail and expire reach the order through the same path.
      const other = await core.checkouts.create(ctx, 'sandbox-qr-2', { provider: 'wechat', item: { kind: 'recharge', amount: { amount: 1000, currency: 'CNY' } } })
      expect((await fetch(`${other.checkout.content}/fail`, { method: 'POST' })).status).toBe(200)
      expect(t.relay.db.sqlite.prepare('SELECT state FROM orders WHERE order_no = ?').get(other.order.orderNo)).toEqual({ state: 'failed' })

      const forged = JSON.stringify({ events: [{ type: 'payment.succeeded', eventId: 'evt-forged', orderNo: other.order.orderNo, providerPaymentId: 'x', amount: { amount: 1000, currency: 'CNY' }, occurredAt: 0 }] })
      const refused = await fetch(`${t.url}/v1/notify/wechat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sandbox-signature': '0'.repeat(64) }, body: forged })
      expect(refused.status).toBeGreaterThanOrEqual(400)
      expect((await fetch(`${t.url}/sandbox/checkout/alipay/NO-SUCH-ORDER`)).status).toBe(404)

      // A cancelled order's page is gone, as a real provider closes its checkout.
      const dropped = await core.checkouts.create(ctx, 'sandbox-qr-3', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 1000, currency: 'CNY' } } })
      expect((await fetch(dropped.checkout.content)).status).toBe(200)
      expect((await core.checkouts.cancel(ctx, dropped.order.orderNo)).provider).toEqual({ outcome: 'closed' })
      expect((await fetch(dropped.checkout.content)).status).toBe(404)
      expect((await fetch(`${dropped.checkout.content}/pay`, { method: 'POST' })).status).toBe(404)
    } finally {
      await t.relay.stop()
    }
  })

  it('has no pages when the sandbox is off', async () => {
    const t = await startTestRelay()
    try {
      expect((await fetch(`${t.url}/sandbox`)).status).toBe(404)
    } finally {
      await t.relay.stop()
    }
  })
})
