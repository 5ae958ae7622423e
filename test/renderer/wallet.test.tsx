// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { renderApp } from './support/render'

afterEach(cleanup)

async function startRecharge(methodLabel: string, presetLabel = '¥50.00') {
  fireEvent.click(await screen.findByRole('radio', { name: presetLabel }))
  fireEvent.click(screen.getByRole('radio', { name: methodLabel }))
  fireEvent.click(screen.getByRole('button', { name: `支付 ${presetLabel}` }))
}

describe('wallet recharge', () => {
  it('shows the balance and first-free state from main', async () => {
    renderApp({ balance: 1234 })
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '¥12.34')
    expect(screen.getByText('首次付费使用免费，尚未使用')).toBeTruthy()
  })

  it('Alipay: preset → QR drawn in the page → paid on the payment.confirmed event, balance updated without reload', async () => {
    const { core } = renderApp({ balance: 0 })
    await startRecharge('支付宝')
    const qr = await screen.findByRole('img', { name: '支付宝付款二维码' })
    const [orderId] = [...core.state.checkouts.keys()]
    expect(qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    expect(qr.getAttribute('data-qr-content')).toBe(`https://qr.alipay.com/${orderId}`)
    expect(screen.getByText('等待付款确认…')).toBeTruthy()
    const create = core.calls.find((c) => c.channel === 'checkout.create')
    expect(create?.input).toMatchObject({ method: 'alipay', purpose: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } })

    core.confirmPayment(orderId!)
    expect(await screen.findByText('支付成功，¥50.00 已到账')).toBeTruthy()
    expect(screen.getByTestId('balance').textContent).toBe('¥50.00')
    expect(screen.queryByRole('img', { name: '支付宝付款二维码' })).toBeNull()
  })

  it('WeChat Pay draws the weixin:// code', async () => {
    const { core } = renderApp()
    await startRecharge('微信支付', '¥100.00')
    const qr = await screen.findByRole('img', { name: '微信支付付款二维码' })
    expect(qr.getAttribute('data-qr-content')).toMatch(/^weixin:\/\/wxpay\//)
    expect(await screen.findByText('请用微信扫一扫支付 ¥100.00')).toBeTruthy()
    expect(core.state.checkouts.size).toBe(1)
  })

  it('Stripe and PayPal ask main to open the system browser, never a URL from the page', async () => {
    const { core } = renderApp()
    await startRecharge('银行卡（Stripe）')
    expect(await screen.findByText('已在浏览器中打开支付页面，付款后回到这里即可。')).toBeTruthy()
    const [orderId] = [...core.state.checkouts.keys()]
    await waitFor(() => expect(core.state.opened).toEqual([orderId]))
    fireEvent.click(screen.getByRole('button', { name: '重新打开支付页面' }))
    await waitFor(() => expect(core.state.opened).toEqual([orderId, orderId]))
    expect(screen.queryByRole('img')).toBeNull()
  })

  it('a custom amount outside the relay limits is refused before anything is sent', async () => {
    const { core } = renderApp()
    const input = await screen.findByLabelText('自定义金额')
    fireEvent.change(input, { target: { value: '5' } })
    expect(screen.getByRole('alert').textContent).toBe('金额不能低于 ¥10.00')
    fireEvent.change(input, { target: { value: '5000.01' } })
    expect(screen.getByRole('alert').textContent).toBe('金额不能高于 ¥5,000.00')
    fireEvent.change(input, { target: { value: '12.345' } })
    expect(screen.getByRole('alert').textContent).toBe('请输入有效金额，最多两位小数')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    const submit = screen.getByRole('button', { name: '请选择或输入充值金额' })
    expect((submit as HTMLButtonElement).disabled).toBe(true)
    fireEvent.submit(submit.closest('form')!)
    expect(core.calls.some((c) => c.channel === 'checkout.create')).toBe(false)

    fireEvent.change(input, { target: { value: '88.8' } })
    fireEvent.click(screen.getByRole('button', { name: '支付 ¥88.80' }))
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    expect(core.calls.find((c) => c.channel === 'checkout.create')?.input).toMatchObject({
      purpose: { amount: { amount: 8880, currency: 'CNY' } }
    })
  })

  it('cancel, expiry and failure each end the wait with their own message', async () => {
    const { core } = renderApp()
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    fireEvent.click(screen.getByRole('button', { name: '取消订单' }))
    expect(await screen.findByText('订单已取消')).toBeTruthy()
    expect([...core.state.checkouts.values()][0]?.status).toBe('cancelled')

    fireEvent.click(screen.getByRole('button', { name: '重新充值' }))
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const second = [...core.state.checkouts.keys()][1]!
    core.expireCheckout(second)
    expect(await screen.findByText('订单已过期，请重新发起')).toBeTruthy()
    expect(screen.queryByText(/支付成功/)).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: '重新充值' }))
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const third = [...core.state.checkouts.values()][2]!
    core.emit('checkout.updated', { ...third, status: 'failed', failureReason: '风控拦截' })
    expect((await screen.findByText('支付失败：风控拦截')).getAttribute('role')).toBe('alert')
  })

  it('an error from main is shown as words, not a code', async () => {
    const { core } = renderApp()
    const { UnavailableError } = await import('./support/errors')
    core.failNext('checkout.create', new UnavailableError())
    await startRecharge('支付宝')
    const alert = await screen.findByText('服务暂时不可用，请稍后重试')
    expect(alert.getAttribute('role')).toBe('alert')
  })

  it('the expiry timer asks main for the status instead of guessing', async () => {
    const { core, stores } = renderApp()
    await startRecharge('支付宝')
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const c = stores.checkout.getState().checkout!
    await stores.checkout.getState().tick(c.expiresAt - 1)
    expect(core.calls.filter((x) => x.channel === 'checkout.status')).toHaveLength(0)
    core.state.checkouts.set(c.orderId, { ...c, status: 'expired' })
    await stores.checkout.getState().tick(c.expiresAt)
    expect(core.calls.filter((x) => x.channel === 'checkout.status')).toHaveLength(1)
    expect(await screen.findByText('订单已过期，请重新发起')).toBeTruthy()
    expect(within(document.body).queryByRole('img', { name: '支付宝付款二维码' })).toBeNull()
  })
})
