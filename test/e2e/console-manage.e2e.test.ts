import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { FAPIAO_FILE_MAX_BYTES as CONSOLE_FAPIAO_MAX } from '../../src/console/screens/fapiao/limits'
import { FAPIAO_FILE_MAX_BYTES } from '../../src/relay/invoices/fapiao'
import type { Browser } from './support/browser'
import { withConsoleWorld } from './support/console'
import { bothLanguages as shots, enrolDevice as enrol, signIn as signInAs, signOut as dropSession, type Device } from './support/console-manage'
import { startApp } from './support/app'
import type { E2eRelay } from './support/relay'

// The console's management screens in Chromium against the real relay, as an admin: a new price
// published (GET /v1/prices and a synced app show it), a coupon with a promotion code (a device's
// quote takes it), a plan granted and a device revoked from an account's detail, a bill's
// difference resolved, and each action in the audit log. The other roles: console-roles.e2e.test.ts.

let browser: Browser
let relay: E2eRelay
let page: Page

const enrolDevice = (name: string) => enrol(relay, name)
const bothLanguages = (name: string) => shots(page, name)
const signIn = (email: string, role: 'admin') => signInAs(browser, relay, email, role)
const signOut = () => dropSession(page)

withConsoleWorld((w) => {
  ;({ browser, relay } = w)
  page = browser.page
  page.setDefaultTimeout(10_000)
})

it("the console's fapiao file limit is the relay's", () => {
  expect(CONSOLE_FAPIAO_MAX).toBe(FAPIAO_FILE_MAX_BYTES)
})

describe('an admin', () => {
  let device: Device
  let rechargeNo: string
  beforeAll(async () => {
    device = await enrolDevice('e2e console manage')
    // ¥100 recharged through Alipay: the account has an order, transfers and a wallet balance.
    const checkout = await device.call('POST', '/v1/checkouts', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 10_000, currency: 'CNY' } } }, { 'idempotency-key': 'e2e-console-recharge-1' })
    rechargeNo = checkout.body.order.orderNo
    expect(await relay.alipayPaid(rechargeNo, 10_000)).toMatchObject({ text: 'success' })
    await signIn('admin@example.com', 'admin')
  })

  it('publishes a new BASIC monthly price after a preview; a bad amount and a refused one show beside their fields; GET /v1/prices shows it', async () => {
    await page.goto(`${relay.url}/console/#/catalog`)
    await page.click('[data-testid=catalog-new]')
    const basic = page.locator('tr[data-plan="BASIC/monthly"]')
    const price = basic.locator('input[name$=".price"]')
    const original = basic.locator('input[name$=".originalPrice"]')
    expect(await price.inputValue()).toBe('29.00')

    // Not an amount: refused here, nothing sent.
    await price.fill('29,9')
    await page.click('text=预览变更')
    await expect.poll(() => basic.locator('.error').first().textContent()).toBe('请填写金额，如 29 或 29.90（最多两位小数）。')

    // A preset that is not an amount, beside the presets.
    await price.fill('29.00')
    const presets = page.locator('input[name="rechargeRules.presets"]')
    const presetsWere = await presets.inputValue()
    await presets.fill(`${presetsWere}, 五十`)
    await page.click('text=预览变更')
    await expect.poll(() => page.locator('label:has(input[name="rechargeRules.presets"]) .error').textContent()).toBe('请填写金额，如 29 或 29.90（最多两位小数）。')
    await presets.fill(presetsWere)

    // Above its list price: the relay's catalog rule, beside the list price.
    await price.fill('45')
    await page.click('text=预览变更')
    await expect.poll(() => basic.locator('td:has(input[name$=".originalPrice"]) .error').textContent()).toBe('划线价不能低于价格。')
    browser.problems.splice(0) // the 400 of that refusal, caused on purpose

    await price.fill('34.90')
    await original.fill('49.00')
    await page.click('text=预览变更')
    const preview = page.getByTestId('catalog-preview')
    await expect.poll(() => preview.textContent()).toContain('¥34.90')
    expect(await preview.textContent()).toContain('¥29.00')
    await bothLanguages('console-catalog-preview')

    await page.click('button:has-text("发布")')
    await page.click('button:has-text("确认发布")')
    await expect.poll(() => page.textContent('[role=status]')).toContain('已发布版本 2')
    const prices = (await (await fetch(`${relay.url}/v1/prices`)).json()) as { plans: { planCode: string; period: string; price: { amount: number } }[]; catalog: { version: number } }
    expect(prices.catalog.version).toBe(2)
    expect(prices.plans.find((p) => p.planCode === 'BASIC' && p.period === 'monthly')?.price.amount).toBe(3490)
    await expect.poll(() => page.locator('[data-testid=catalog-versions] tr', { hasText: '生效中' }).first().textContent()).toMatch(/^2/)

    // A version for a later time is scheduled: listed, not in force, today's prices unchanged.
    await page.click('[data-testid=catalog-new]')
    await page.locator('tr[data-plan="BASIC/monthly"] input[name$=".price"]').fill('36.90')
    await page.check('input[name=when][value=at]')
    const later = new Date(Date.now() + 8 * 3_600_000 + 3 * 86_400_000).toISOString().slice(0, 10)
    await page.fill('input[name=effectiveAt]', `${later}T09:00`)
    await page.click('text=预览变更')
    await expect.poll(() => page.getByTestId('catalog-preview').textContent()).toContain('¥36.90')
    expect(await page.getByTestId('catalog-preview').textContent()).toContain(`${Number(later.slice(5, 7))}月${Number(later.slice(8, 10))}日 09:00 起生效`)
    await page.click('button:has-text("发布")')
    await page.click('button:has-text("确认发布")')
    await expect.poll(() => page.locator('[data-testid=catalog-versions] tr', { hasText: '待生效' }).first().textContent()).toMatch(/^3/)
    const after = (await (await fetch(`${relay.url}/v1/prices`)).json()) as typeof prices
    expect(after.catalog.version).toBe(2)

    // "Now" while version 3 waits for its day: the publish is refused beside the effective time.
    await page.click('[data-testid=catalog-new]')
    await page.click('text=预览变更')
    await expect.poll(() => page.getByTestId('catalog-preview').count()).toBe(1)
    await page.click('button:has-text("发布")')
    await page.click('button:has-text("确认发布")')
    await expect.poll(() => page.locator('input[name=effectiveAt] ~ .error').textContent()).toBe('生效时间不能早于最新版本的生效时间；请选择更晚的时间。')
    expect(browser.problems.splice(0)).toEqual([expect.stringMatching(/^400 .*\/v1\/console\/catalog\/publish$/), expect.stringContaining('400')])
    await page.click('text=放弃')
    expect(browser.problems).toEqual([])
  })

  it("an app synced with the relay keeps the published version and prices BASIC monthly by it", async () => {
    const app = await startApp(relay, 'zh-CN')
    try {
      await app.host.sync.syncNow()
      const catalog = app.host.billing.subscriptions.catalog()
      expect(catalog.version).toBe(2)
      expect(catalog.plans.find((p) => p.code === 'BASIC' && p.period === 'monthly')).toMatchObject({ price: 3490, originalPrice: 4900 })
    } finally {
      await app.close()
    }
  })

  it('creates a 20 % coupon with the code SAVE20; a device quotes BASIC monthly with it', async () => {
    await page.goto(`${relay.url}/console/#/coupons`)
    await page.click('[data-testid=coupon-new]')
    const form = page.getByTestId('coupon-create')
    await form.locator('input[name=name]').fill('双十二八折')
    await form.locator('input[name=id]').fill('DOUBLE12')
    await form.locator('input[name=percent]').fill('120')
    await form.locator('input[name=minimum]').fill('10')
    await form.locator('button:has-text("创建")').click()
    await expect.poll(() => form.locator('.error').first().textContent()).toContain('0 到 100')

    await form.locator('input[name=percent]').fill('20')
    await form.locator('input[name=perAccountLimit]').fill('1')
    await form.locator('button:has-text("创建")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已创建优惠券 DOUBLE12。')

    const row = page.locator('tr[data-coupon=DOUBLE12]')
    await row.locator('button:has-text("添加优惠码")').click()
    await row.locator('input[name=code]').fill('save20')
    await row.locator('button:has-text("添加")').last().click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已添加优惠码 SAVE20。')
    expect(await row.textContent()).toContain('减 20%')
    expect(await row.textContent()).toContain('满 ¥10.00 可用')
    await bothLanguages('console-coupons-list')

    const quote = await device.call('POST', '/v1/quotes', { item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'save20' })
    expect(quote.status).toBe(200)
    expect(quote.body.quote).toMatchObject({ catalogVersion: 2, listPrice: { amount: 3490 }, discount: { amount: 698 }, total: { amount: 2792 }, coupon: { couponId: 'DOUBLE12', code: 'SAVE20' } })

    // Bought with the code and paid: the redemption is listed, its order linked.
    const bought = await device.call('POST', '/v1/checkouts', { provider: 'alipay', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'SAVE20' }, { 'idempotency-key': 'e2e-console-coupon-1' })
    expect(bought.body.order.amount.amount).toBe(2792)
    expect(await relay.alipayPaid(bought.body.order.orderNo, 2792)).toMatchObject({ text: 'success' })
    await page.reload()
    await row.locator('button:has-text("使用记录")').click()
    const redemptions = page.getByTestId('redemptions')
    await expect.poll(() => redemptions.locator(`a[href="#/orders/${bought.body.order.orderNo}"]`).count()).toBe(1)
    expect(await redemptions.textContent()).toContain('¥6.98')
    expect(await redemptions.textContent()).toContain('已使用')

    // The total limit raised from none to 100: the row says 1 of 100 used.
    await row.locator('button:has-text("修改限额")').click()
    await row.locator('[data-testid=limits-form] input[name=totalLimit]').fill('100')
    await row.locator('button:has-text("保存限额")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('限额已更新。')
    await expect.poll(() => row.locator('td.num').textContent()).toBe('1 / 100')
    expect(browser.problems).toEqual([])
  })

  it("grants a plan from the account's detail with a reason", async () => {
    await page.goto(`${relay.url}/console/#/accounts/${encodeURIComponent(device.accountId)}`)
    const detail = page.getByTestId('account-detail')
    await expect.poll(() => detail.locator('[data-testid=devices]').textContent()).toContain('e2e console manage')
    expect(await detail.locator('[data-testid=balances]').textContent()).toContain('钱包余额¥100.00')
    expect(await detail.locator(`[data-testid=orders] a:has-text("${rechargeNo}")`).getAttribute('href')).toBe(`#/orders/${rechargeNo}`)
    expect(await detail.locator('[data-testid=orders]').textContent()).toContain('已支付')
    await page.selectOption('select[name=grantPlan]', 'PREMIUM')
    await page.fill('input[name=grantReason]', '直')
    await page.click('button:has-text("赠送")')
    await expect.poll(() => page.getByTestId('grant-form').locator('.error').textContent()).toBe('请写明原因，至少 3 个字。')
    await page.fill('input[name=grantReason]', '直播故障补偿一个月')
    await page.click('button:has-text("赠送")')
    await expect.poll(() => page.textContent('[role=status]')).toContain('已赠送 PREMIUM · 1 个月')
    await expect.poll(() => detail.locator('[data-testid=grants]').textContent()).toContain('PREMIUM')
    await bothLanguages('console-account-detail')

    // Revoking asks first; then the device is revoked and its token no longer works.
    await detail.locator('[data-testid=devices] button:has-text("解绑")').click()
    expect(await detail.locator('[role=dialog]').textContent()).toContain('解绑设备「e2e console manage」？')
    await detail.locator('button:has-text("确认解绑")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已解绑设备「e2e console manage」。')
    await expect.poll(() => detail.locator('[data-testid=devices]').textContent()).toContain('已于')
    expect((await device.call('GET', '/v1/invoices')).status).toBe(401)

    // The search finds the account by its id.
    await page.goto(`${relay.url}/console/#/accounts`)
    await page.fill('input[name=q]', device.accountId)
    await page.click('button:has-text("搜索")')
    await expect.poll(() => page.locator(`[data-testid=accounts] a[href="#/accounts/${device.accountId}"]`).count()).toBe(1)
    expect(browser.problems).toEqual([])
  })

  it("imports an Alipay bill: the line the books lack is a difference, resolved with a reason", async () => {
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const bill = [
      '#支付宝业务明细查询',
      '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,订单金额（元）,商家实收（元）,退款批次号/请求号',
      `2026120722001100001,${rechargeNo},交易,充值,${day} 12:00:01,${day} 12:00:09,100.00,100.00,`,
      `2026120722001100002,R-NOT-OURS-1,交易,充值,${day} 13:00:01,${day} 13:00:09,10.00,10.00,`,
      '#交易合计：2笔'
    ].join('\r\n')
    await page.goto(`${relay.url}/console/#/reconciliation`)
    const form = page.getByTestId('reconciliation-import')
    await form.locator('input[name=from]').fill(day)
    await form.locator('input[name=to]').fill(day)
    await form.locator('select[name=encoding]').selectOption('utf-8')
    await form.locator('input[name=bill]').setInputFiles({ name: 'alipay.csv', mimeType: 'text/csv', buffer: Buffer.from(bill, 'utf8') })
    // The same file as a WeChat Pay bill: not one, said beside the form, nothing imported.
    await form.locator('select[name=provider]').selectOption('wechat')
    await form.locator('button:has-text("导入并核对")').click()
    await expect.poll(() => page.getByTestId('reconciliation-error').textContent()).toBe('这不是能识别的微信支付交易账单：请检查渠道是否选对，或文件编码是否正确。')
    expect(browser.problems.splice(0).every((p) => p.includes('400'))).toBe(true)
    await form.locator('select[name=provider]').selectOption('alipay')
    await form.locator('select[name=encoding]').selectOption('utf-8')
    await form.locator('button:has-text("导入并核对")').click()
    await expect.poll(() => page.textContent('[role=status]')).toMatch(/^已导入 2 行，发现 \d+ 处差异。$/)
    await expect.poll(() => page.locator('[data-testid=runs] tbody tr').count()).toBe(1) // the refused file left no run
    const diffs = page.getByTestId('differences')
    const row = diffs.locator('tr', { hasText: 'R-NOT-OURS-1' })
    await expect.poll(() => row.textContent()).toContain('账单有、系统没有的收款')
    expect(await diffs.locator('tr', { hasText: rechargeNo }).count()).toBe(0)
    await row.locator('button:has-text("标记已处理")').click()
    await row.locator('input[name=resolution]').fill('非本系统订单，已与支付宝核实')
    await row.locator('button:has-text("确认")').click()
    await expect.poll(() => row.textContent()).toContain('admin@example.com')
    expect(await row.textContent()).toContain('非本系统订单，已与支付宝核实')
    await bothLanguages('console-reconciliation-differences')
    expect(browser.problems).toEqual([])
  })

  it('finds the publish, the coupon, its code and the grant in the audit log, filters by action, and exports them', async () => {
    await page.goto(`${relay.url}/console/#/audit`)
    const log = page.getByTestId('audit')
    await expect.poll(() => log.locator('tr[data-action="coupon.create"]').count()).toBe(1)
    expect(await log.locator('tr[data-action="coupon.code.add"]').count()).toBe(1)
    expect(await log.locator('tr[data-action="plan.grant"]').count()).toBe(1)
    expect(await log.locator('tr[data-action="coupon.limits"]').count()).toBe(1)
    expect(await log.locator('tr[data-action="device.revoke"]').count()).toBe(1)
    expect(await log.locator('tr[data-action="reconciliation.resolve"]').count()).toBe(1)
    expect(await log.locator('tr[data-action^="catalog"]').count()).toBeGreaterThanOrEqual(1)
    expect(await log.locator('tr[data-action="coupon.create"]').textContent()).toContain('admin@example.com')
    await bothLanguages('console-audit-log')

    // Days in Beijing time: from tomorrow nothing yet; an end before the start is refused here.
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10)
    await page.fill('input[name=from]', tomorrow)
    await page.fill('input[name=to]', today)
    await page.click('button:has-text("筛选")')
    await expect.poll(() => page.textContent('main')).toContain('结束日期不能早于开始日期。')
    await page.fill('input[name=to]', '')
    await page.click('button:has-text("筛选")')
    await expect.poll(() => page.textContent('main')).toContain('没有符合条件的记录。')
    await page.fill('input[name=from]', today)
    await page.fill('input[name=to]', today)
    await page.click('button:has-text("筛选")')
    await expect.poll(() => log.locator('tr[data-action="coupon.create"]').count()).toBe(1)

    // Only this operator: every entry is the admin's (the machine token's and the CLI's go).
    await log.locator('tr[data-action="coupon.create"] button:has-text("只看此人")').click()
    await expect.poll(() => log.locator('tr[data-action="enrolment.create"]').count()).toBe(0)
    const actors = await log.locator('tbody tr td:nth-child(2) div').allTextContents()
    expect(actors.length).toBeGreaterThan(5)
    expect(new Set(actors)).toEqual(new Set(['admin@example.com']))

    await page.selectOption('select[name=action]', 'coupon.create')
    await page.click('button:has-text("筛选")')
    await expect.poll(() => log.locator('tbody tr').count()).toBe(1)
    const href = await page.getByTestId('audit-csv').getAttribute('href')
    expect(href).toMatch(/^\/v1\/console\/audit\.csv\?operator=op_[0-9a-f]+&action=coupon\.create&from=\d+&to=\d+$/)
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href)
    expect(csv).toContain('DOUBLE12')
    expect(csv).not.toContain('plan.grant')
    expect(browser.problems).toEqual([])
  })

  it('deactivates the coupon after a confirm step; its code no longer quotes', async () => {
    await page.goto(`${relay.url}/console/#/coupons`)
    const row = page.locator('tr[data-coupon=DOUBLE12]')
    await row.locator('button:has-text("停用")').click()
    expect(await row.locator('[role=dialog]').textContent()).toContain('停用优惠券 DOUBLE12？')
    await row.locator('button:has-text("确认停用")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已停用 DOUBLE12，收回了 0 张已发放的券。')
    await expect.poll(() => row.textContent()).toContain('已停用')
    // A coupon for one plan and period: ¥50 off PREMIUM yearly only.
    await page.click('[data-testid=coupon-new]')
    const form = page.getByTestId('coupon-create')
    await form.locator('input[name=name]').fill('高级版年付立减')
    await form.locator('input[name=id]').fill('YEARLY50')
    await form.locator('select[name=kind]').selectOption('amount')
    await form.locator('input[name=amount]').fill('50')
    await form.locator('input[name=plans] >> nth=1').check()
    await form.locator('button:has-text("创建")').click()
    await expect.poll(() => form.locator('.error').first().textContent()).toBe('请至少选择一个套餐，或勾选充值。')
    await form.locator('input[name=plan-PREMIUM]').check()
    await form.locator('select[name=period-PREMIUM]').selectOption('yearly')
    await form.locator('button:has-text("创建")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已创建优惠券 YEARLY50。')
    const yearlyRow = page.locator('tr[data-coupon=YEARLY50]')
    expect(await yearlyRow.textContent()).toContain('适用：PREMIUM · 年付')
    await yearlyRow.locator('button:has-text("添加优惠码")').click()
    // A code names one coupon for ever: SAVE20 is DOUBLE12's.
    await yearlyRow.locator('input[name=code]').fill('SAVE20')
    await yearlyRow.locator('button:has-text("添加")').last().click()
    await expect.poll(() => yearlyRow.locator('[data-testid=code-form] .error').first().textContent()).toBe('这个优惠码已经被使用过（优惠码全局唯一），请换一个。')
    expect(browser.problems.splice(0).every((p) => p.includes('400'))).toBe(true)
    await yearlyRow.locator('input[name=code]').fill('PRO-YEAR')
    await yearlyRow.locator('button:has-text("添加")').last().click()
    await expect.poll(() => page.textContent('[role=status]')).toBe('已添加优惠码 PRO-YEAR。')

    const other = await enrolDevice('e2e after deactivation')
    const quote = await other.call('POST', '/v1/quotes', { item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'SAVE20' })
    expect(quote.status).toBe(200)
    expect(quote.body.quote).toMatchObject({ discount: { amount: 0 }, total: { amount: 3490 }, refusal: { code: 'inactive' } })
    const yearly = await other.call('POST', '/v1/quotes', { item: { kind: 'plan', planCode: 'PREMIUM', period: 'yearly' }, code: 'PRO-YEAR' })
    expect(yearly.body.quote).toMatchObject({ listPrice: { amount: 59900 }, discount: { amount: 5000 }, total: { amount: 54900 } })
    const monthly = await other.call('POST', '/v1/quotes', { item: { kind: 'plan', planCode: 'PREMIUM', period: 'monthly' }, code: 'PRO-YEAR' })
    expect(monthly.body.quote).toMatchObject({ discount: { amount: 0 }, refusal: { code: 'not_applicable' } })
    expect(browser.problems).toEqual([])
  })

  afterAll(signOut)
})

