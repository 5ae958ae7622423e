import './support/dom'
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { recharge } from '../ipc/core-fixture'
import { publishCatalog } from '../../src/relay/catalog/catalog'
import { catalogV } from '../support/catalog'
import { renderApp } from './support/render'

afterEach(cleanup)

const openPlans = async () => {
  fireEvent.click(await screen.findByRole('button', { name: '套餐' }))
  return screen.findByRole('table')
}

describe('plans', () => {
  it('compares tiers per period with prices and limits', async () => {
    // The catalog (src/shared/catalog): PREMIUM ¥59.00 a month (was ¥79.00), ¥599.00 a year;
    // ENTERPRISE 10 rooms; unlimited exports.
    await renderApp()
    const table = await openPlans()
    await within(table).findByRole('columnheader', { name: '高级版' })
    expect(within(table).getByText('¥59.00 / 月')).toBeTruthy()
    expect(within(table).getByText('原价 ¥79.00')).toBeTruthy()
    const rooms = within(table).getByRole('row', { name: /可同时开播的直播间/ })
    expect(within(rooms).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1', '1', '3', '10'])
    const exports = within(table).getByRole('row', { name: /每期导出次数/ })
    expect(within(exports).getAllByRole('cell').at(-1)?.textContent).toBe('不限')

    fireEvent.click(screen.getByRole('radio', { name: '年付' }))
    expect(await within(table).findByText('¥599.00 / 年')).toBeTruthy()
    expect(within(table).queryByText('¥59.00 / 月')).toBeNull()
  })

  it('a catalog version arriving from the relay reprices the open screen', async () => {
    const app = await renderApp({ relay: true })
    const table = await openPlans()
    await within(table).findByText('¥29.00 / 月')
    expect(await screen.findByRole('button', { name: '用微信支付付款: 基础版 月付' })).toBeTruthy()
    const w = app.world!
    const at = w.t.clock.now() + 3600_000
    // BASIC ¥39.00 a month, paid by Alipay only.
    await publishCatalog(w.t.relay.db, w.t.clock.now(), { ...catalogV(2, at), paymentMethods: ['alipay'] })
    w.t.clock.set(at)
    app.clock.set(at)
    await app.sync.syncNow()
    expect(await within(table).findByText('¥39.00 / 月')).toBeTruthy()
    expect(within(table).queryByText('¥29.00 / 月')).toBeNull()
    await waitFor(() => expect(screen.queryByRole('button', { name: '用微信支付付款: 基础版 月付' })).toBeNull())
    expect(screen.getByRole('button', { name: '用支付宝付款: 基础版 月付' })).toBeTruthy()
  })

  it('subscribe from balance → current plan with renewal date; auto-renew off; cancel with a reason', async () => {
    // A calendar month from 2025-03-10 (the anchor day is kept): renews on 2025/04/10.
    const app = await renderApp({ seed: (a) => recharge(a.billing, 20000) })
    await openPlans()
    expect(screen.getByText('尚未订阅，正在使用免费版')).toBeTruthy()
    fireEvent.click(await screen.findByRole('button', { name: '用余额订阅: 高级版 月付' }))
    expect(await screen.findByRole('heading', { name: '当前套餐：高级版 · 月付' })).toBeTruthy()
    expect(screen.getByText('将于 2025/04/10 自动续费')).toBeTruthy()
    expect(app.balance()).toBe(20000 - 5900)

    const sw = screen.getByRole('switch', { name: '自动续费' })
    expect(sw.getAttribute('aria-checked')).toBe('true')
    fireEvent.click(sw)
    await waitFor(() => expect(sw.getAttribute('aria-checked')).toBe('false'))
    expect(app.billing.subscriptions.current()?.autoRenew).toBe(false)
    expect(screen.getByText('将于 2025/04/10 到期')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: '取消订阅' }))
    fireEvent.change(screen.getByLabelText('取消原因'), { target: { value: 'not_streaming' } })
    fireEvent.change(screen.getByLabelText('补充说明（可选）'), { target: { value: '休息一个月' } })
    fireEvent.click(screen.getByRole('button', { name: '确认取消' }))
    expect(await screen.findByText('已取消：暂时不直播了：休息一个月')).toBeTruthy()
    const cancel = app.calls.find((c) => c.channel === 'subscription.cancel')
    expect(cancel?.input).toMatchObject({ reason: 'not_streaming', note: '休息一个月', atPeriodEnd: true })
    expect(app.billing.subscriptions.current()).toMatchObject({ cancelAtPeriodEnd: true, cancelReason: 'not_streaming: 休息一个月' })
    expect(screen.queryByRole('button', { name: '取消订阅' })).toBeNull()
  })

  it('a trial starts without charging', async () => {
    const app = await renderApp()
    await openPlans()
    fireEvent.click(await screen.findByRole('button', { name: '免费试用 7 天: 基础版 月付' }))
    expect(await screen.findByText('试用中')).toBeTruthy()
    expect(screen.getByText('试用至 2025/03/17')).toBeTruthy()
    expect(app.balance()).toBe(0)
    expect(app.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'trialing' })
  })

  it('subscribing with too little balance offers a recharge of the shortfall', async () => {
    await renderApp({ seed: (a) => recharge(a.billing, 1000) })
    await openPlans()
    fireEvent.click(await screen.findByRole('button', { name: '用余额订阅: 基础版 月付' }))
    expect((await screen.findByRole('alert')).textContent).toContain('余额不足：需要 ¥29.00，还差 ¥19.00。')
    fireEvent.click(screen.getByRole('button', { name: '去充值' }))
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('19.00'))
  })

  it('paying a plan by Alipay QR activates it when the payment is confirmed', async () => {
    const app = await renderApp({ relay: true })
    await openPlans()
    fireEvent.click(await screen.findByRole('button', { name: '用支付宝付款: 企业版 月付' }))
    await screen.findByRole('img', { name: '支付宝付款二维码' })
    const create = app.calls.find((c) => c.channel === 'checkout.create')
    expect(create?.input).toMatchObject({ purpose: { kind: 'plan', planId: 'ENTERPRISE:monthly' } })
    const [checkout] = app.checkouts()
    expect(checkout).toMatchObject({ amount: { amount: 19900 }, purpose: { kind: 'plan', planId: 'ENTERPRISE:monthly' } })
    await app.pay(checkout!.orderId)
    expect(await screen.findByText('支付成功，套餐已生效')).toBeTruthy()
    expect(await screen.findByRole('heading', { name: '当前套餐：企业版 · 月付' })).toBeTruthy()
    expect(app.billing.subscriptions.current()).toMatchObject({ planCode: 'ENTERPRISE', status: 'active' })
  })

  it('during a trial the wallet button pays after it; another plan is a switch with its hint; a shortfall shows beside that plan', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 3000) })
    await openPlans()
    // The trial says what happens when it ends.
    expect(screen.getAllByText('试用 7 天，期间不扣费；到期后自动从余额扣 ¥29.00 / 月，可随时关闭自动续费。').length).toBeGreaterThan(0)
    fireEvent.click(await screen.findByRole('button', { name: '免费试用 7 天: 基础版 月付' }))
    expect(await screen.findByText('试用中')).toBeTruthy()
    fireEvent.click(await screen.findByRole('button', { name: '用余额付费（试用结束后开始）: 基础版 月付' }))
    await waitFor(() => expect(app.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'active' }))
    expect(app.balance()).toBe(3000 - 2900)

    const premium = await screen.findByRole('button', { name: '用余额改用此套餐: 高级版 月付' })
    expect(screen.getAllByText(/当前套餐没用完的已付时长会按两个套餐的价格折算/).length).toBeGreaterThan(0)
    fireEvent.click(premium)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('余额不足：需要 ¥59.00，还差 ¥58.00。')
    // Beside the control that caused it: in the same cell as the PREMIUM buttons.
    expect(alert.closest('td')?.contains(premium)).toBe(true)
    expect(app.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'active' })
  })
})
