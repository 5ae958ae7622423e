import './support/dom'
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { recharge } from '../ipc/core-fixture'
import { orderNoOf, providerRefunds } from '../sync/support'
import { NOW } from './support/real-core'
import { renderApp } from './support/render'

afterEach(cleanup)

async function startRecharge(methodLabel: string, presetLabel = '¥50.00') {
  fireEvent.click(await screen.findByRole('radio', { name: presetLabel }))
  fireEvent.click(screen.getByRole('radio', { name: methodLabel }))
  fireEvent.click(screen.getByRole('button', { name: `支付 ${presetLabel}` }))
}

describe('wallet recharge', () => {
  it('shows the balance and first-free state from main', async () => {
    await renderApp({ seed: (a) => recharge(a.billing, 1234) })
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '¥12.34')
    expect(screen.getByText('首次付费功能可免费用一次（尚未使用）')).toBeTruthy()
  })

  it('Alipay: preset → QR drawn in the page → paid on the payment.confirmed event, balance updated without reload', async () => {
    const app = await renderApp({ relay: true })
    await startRecharge('支付宝')
    const qr = await screen.findByRole('img', { name: '支付宝付款二维码' })
    const [checkout] = app.checkouts()
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    // The code main got from the relay (Alipay's precreate answer), drawn as it is.
    expect(checkout?.display).toMatchObject({ kind: 'qr', content: expect.stringMatching(/^https:\/\/qr\.alipay\.com\//) })
    expect(qr.getAttribute('data-qr-content')).toBe(checkout?.display.kind === 'qr' ? checkout.display.content : null)
    expect(screen.getByText('等待付款确认…')).toBeTruthy()
    const create = app.calls.find((c) => c.channel === 'checkout.create')
    expect(create?.input).toMatchObject({ method: 'alipay', purpose: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } })

    await app.pay(checkout!.orderId)
    expect(await screen.findByText('支付成功，¥50.00 已到账')).toBeTruthy()
    expect(screen.getByTestId('balance').textContent).toBe('¥50.00')
    expect(screen.queryByRole('img', { name: '支付宝付款二维码' })).toBeNull()
    expect(app.balance()).toBe(5000)
  })

  it('a paid checkout refunded in part, then in full, says so (it no longer reads "paid")', async () => {
    const app = await renderApp({ relay: true })
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const [checkout] = app.checkouts()
    await app.pay(checkout!.orderId)
    expect(await screen.findByText('支付成功，¥50.00 已到账')).toBeTruthy()
    const orderNo = orderNoOf(app.device!, checkout!.orderId)

    await providerRefunds(app.world!, 'alipay', orderNo, 2000, `RF-${orderNo}-1`)
    await app.sync.syncNow()
    expect(await screen.findByText('该订单已部分退款')).toBeTruthy()
    expect(screen.getByText('退款金额已从钱包扣回')).toBeTruthy()
    expect(screen.queryByText('支付成功，¥50.00 已到账')).toBeNull()
    expect(screen.getByTestId('balance').textContent).toBe('¥30.00')

    await providerRefunds(app.world!, 'alipay', orderNo, 3000, `RF-${orderNo}-2`)
    await app.sync.syncNow()
    expect(await screen.findByText('该订单已全额退款')).toBeTruthy()
    expect(app.checkouts()[0]?.status).toBe('refunded')
    expect(screen.getByTestId('balance').textContent).toBe('¥0.00')
  })

  it('WeChat Pay draws the weixin:// code', async () => {
    const app = await renderApp({ relay: true })
    await startRecharge('微信支付', '¥100.00')
    const qr = await screen.findByRole('img', { name: '微信支付付款二维码' })
    expect(qr.getAttribute('data-qr-content')).toMatch(/^weixin:\/\/wxpay\//)
    expect(await screen.findByText('请用微信扫一扫支付 ¥100.00')).toBeTruthy()
    expect(app.checkouts()).toHaveLength(1)
  })

  it('card payments (PayPal) ask main to open the system browser, never a URL from the page', async () => {
    // The fake Stripe's checkout pages are not on checkout.stripe.com, so main would refuse to
    // open them; the fake PayPal's approval links are on www.sandbox.paypal.com.
    const app = await renderApp({ relay: true })
    await startRecharge('PayPal')
    expect(await screen.findByText('已在浏览器中打开支付页面，付款后回到这里即可。')).toBeTruthy()
    const [checkout] = app.checkouts()
    const url = app.sync.checkoutUrl(checkout!.orderId)
    expect(url).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\//)
    await waitFor(() => expect(app.opened).toEqual([url]))
    fireEvent.click(screen.getByRole('button', { name: '重新打开支付页面' }))
    await waitFor(() => expect(app.opened).toEqual([url, url]))
    expect(app.calls.filter((c) => c.channel === 'checkout.openExternal').map((c) => c.input)).toEqual([
      { orderId: checkout!.orderId },
      { orderId: checkout!.orderId }
    ])
    expect(screen.queryByRole('img')).toBeNull()
  })

  it('a custom amount outside the relay limits is refused before anything is sent', async () => {
    // The relay's recharge rules: ¥1.00 to ¥5,000.00.
    const app = await renderApp({ relay: true })
    const input = await screen.findByLabelText('自定义金额')
    fireEvent.change(input, { target: { value: '0.5' } })
    expect(screen.getByRole('alert').textContent).toBe('金额不能低于 ¥1.00')
    fireEvent.change(input, { target: { value: '5000.01' } })
    expect(screen.getByRole('alert').textContent).toBe('金额不能高于 ¥5,000.00')
    fireEvent.change(input, { target: { value: '12.345' } })
    expect(screen.getByRole('alert').textContent).toBe('请输入有效金额，最多两位小数')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    const submit = screen.getByRole('button', { name: '请选择或输入充值金额' })
    expect((submit as HTMLButtonElement).disabled).toBe(true)
    fireEvent.submit(submit.closest('form')!)
    expect(app.calls.some((c) => c.channel === 'checkout.create')).toBe(false)

    fireEvent.change(input, { target: { value: '88.8' } })
    fireEvent.click(screen.getByRole('button', { name: '支付 ¥88.80' }))
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    expect(app.calls.find((c) => c.channel === 'checkout.create')?.input).toMatchObject({
      purpose: { amount: { amount: 8880, currency: 'CNY' } }
    })
    expect(app.checkouts()).toMatchObject([{ amount: { amount: 8880 }, status: 'pending' }])
  })

  it('cancel, expiry and failure each end the wait with their own message', async () => {
    const app = await renderApp({ relay: true })
    const { world, device } = app
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    fireEvent.click(screen.getByRole('button', { name: '取消订单' }))
    expect(await screen.findByText('订单已取消')).toBeTruthy()
    expect(app.checkouts()[0]?.status).toBe('cancelled')

    // Alipay closes the second trade unpaid; the device hears it at its next sync.
    fireEvent.click(screen.getByRole('button', { name: '重新充值' }))
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const second = app.checkouts()[1]!
    await world!.providers.expire('alipay', orderNoOf(device!, second.orderId))
    await app.sync.syncNow()
    expect(await screen.findByText('订单已过期，请重新发起')).toBeTruthy()
    expect(app.checkouts()[1]?.status).toBe('expired')
    expect(screen.queryByText(/支付成功/)).toBeNull()

    // WeChat Pay reports the third payment failed (PAYERROR); the relay passes its reason on.
    fireEvent.click(screen.getByRole('button', { name: '重新充值' }))
    await startRecharge('微信支付')
    await screen.findByRole('img', { name: '微信支付付款二维码' })
    const third = app.checkouts()[2]!
    await world!.providers.fail('wechat', orderNoOf(device!, third.orderId), '风控拦截')
    await app.sync.syncNow()
    expect((await screen.findByText('支付失败：风控拦截')).getAttribute('role')).toBe('alert')
    expect(app.checkouts()[2]).toMatchObject({ status: 'failed', failureReason: '风控拦截' })
  })

  it('an error from main is shown as words, not a code', async () => {
    // The relay is down: main cannot create the checkout and answers UNAVAILABLE.
    const app = await renderApp({ relay: true })
    await screen.findByRole('radio', { name: '¥50.00' })
    await app.world!.t.relay.stop()
    await startRecharge('支付宝')
    const alert = await screen.findByText('服务暂时不可用，请稍后重试')
    expect(alert.getAttribute('role')).toBe('alert')
    // Beside the control that caused it: in the recharge form, after its pay button.
    const form = alert.closest('form')!
    expect(form).toBeTruthy()
    expect(within(form).getByRole('button', { name: /^支付 / }).compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
  })

  it('the expiry timer asks main for the status instead of guessing', async () => {
    // The page's clock is main's (the screen's timer ticks with Date.now()).
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    try {
      const app = await renderApp({ relay: true })
      const { world, device } = app
      await startRecharge('支付宝')
      await screen.findByRole('img', { name: '支付宝付款二维码' })
      const c = app.stores.checkout.getState().checkout!
      await app.stores.checkout.getState().tick(c.expiresAt - 1)
      expect(app.calls.filter((x) => x.channel === 'checkout.status')).toHaveLength(0)
      // Main learns the order expired; the window misses the event (asleep, reloading), so
      // only asking tells it.
      app.dropNext('checkout.updated')
      await world!.providers.expire('alipay', orderNoOf(device!, c.orderId))
      await app.sync.syncNow()
      expect(app.checkouts()[0]?.status).toBe('expired')
      expect(screen.getByRole('img', { name: '支付宝付款二维码' })).toBeTruthy()
      await app.stores.checkout.getState().tick(c.expiresAt)
      expect(app.calls.filter((x) => x.channel === 'checkout.status')).toHaveLength(1)
      expect(await screen.findByText('订单已过期，请重新发起')).toBeTruthy()
      expect(within(document.body).queryByRole('img', { name: '支付宝付款二维码' })).toBeNull()
    } finally {
      vi.useRealTimers()
    }
  })
})
