import { afterAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { Browser } from './support/browser'
import { withConsoleWorld } from './support/console'
import { bothLanguages as shots, enrolDevice as enrol, signIn as signInAs, signOut as dropSession } from './support/console-manage'
import type { E2eRelay } from './support/relay'

// The console's management screens for the roles below admin, in Chromium against the real
// relay: a viewer sees the price list but no publish or create button and no audit log; a
// support operator issues a fapiao a device asked for (a wrong number refused beside its
// field) and refuses another with a reason the device then reads.

let browser: Browser
let relay: E2eRelay
let page: Page

const enrolDevice = (name: string) => enrol(relay, name)
const bothLanguages = (name: string) => shots(page, name)
const signIn = (email: string, role: 'viewer' | 'support') => signInAs(browser, relay, email, role)
const signOut = () => dropSession(page)

withConsoleWorld((w) => {
  ;({ browser, relay } = w)
  page = browser.page
  page.setDefaultTimeout(10_000)
})

describe('a viewer', () => {
  it('sees the price list but no publish button, no coupon to create, and no audit log', async () => {
    await signIn('viewer@example.com', 'viewer')
    await page.goto(`${relay.url}/console/#/catalog`)
    await page.waitForSelector('[data-testid=catalog-versions] tbody tr')
    expect(await page.locator('[data-testid=catalog-new]').count()).toBe(0)
    expect(await page.textContent('main')).toContain('你的角色只能查看价目表')
    // The coupon list is every operator's; creating and changing coupons is coupons.manage's.
    await page.goto(`${relay.url}/console/#/coupons`)
    await expect.poll(() => page.textContent('main')).toContain('还没有优惠券。')
    expect(await page.locator('[data-testid=coupon-new]').count()).toBe(0)
    expect(await page.textContent('nav')).not.toContain('操作日志')
    expect(browser.problems).toEqual([])
  })
  afterAll(signOut)
})

describe('a support operator', () => {
  it('marks a fapiao request issued with its 20-digit number and PDF; a wrong number is refused beside the field', async () => {
    const device = await enrolDevice('e2e fapiao')
    const checkout = await device.call('POST', '/v1/checkouts', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } }, { 'idempotency-key': 'e2e-console-fapiao-1' })
    expect(checkout.status).toBe(200)
    expect(await relay.alipayPaid(checkout.body.order.orderNo, 5000)).toMatchObject({ text: 'success' })
    expect((await device.call('PUT', '/v1/billing-details', { type: 'personal', title: '张三', email: 'zhang@example.com' })).status).toBe(200)
    const invoices = await device.call('GET', '/v1/invoices')
    const number = invoices.body.invoices.find((i: any) => i.source.orderNo === checkout.body.order.orderNo).number as string
    expect((await device.call('POST', `/v1/invoices/${number}/fapiao`)).status).toBe(200)

    await signIn('support@example.com', 'support')
    await page.goto(`${relay.url}/console/#/fapiao`)
    const row = page.locator(`tr[data-invoice="${number}"]`)
    expect(await row.textContent()).toContain('¥50.00')
    await row.locator('button:has-text("开具")').click()
    const decide = page.locator(`tr[data-decide="${number}"]`)
    // Neither a file too large for the relay nor one that is not a PDF or OFD is sent.
    await decide.locator('input[name=fapiaoNumber]').fill('26312000000012345678')
    await decide.locator('input[name=fapiaoFile]').setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(1024 * 1024 + 1, 0x25) })
    await decide.locator('button:has-text("标记为已开具")').click()
    await expect.poll(() => decide.locator('.field .error').textContent()).toBe('文件超过 1 MB，请确认选对了文件。')
    await decide.locator('input[name=fapiaoFile]').setInputFiles({ name: 'fapiao.txt', mimeType: 'text/plain', buffer: Buffer.from('not a fapiao') })
    await decide.locator('button:has-text("标记为已开具")').click()
    await expect.poll(() => decide.locator('.field .error').textContent()).toBe('只能上传 PDF 或 OFD 文件。')
    await decide.locator('input[name=fapiaoNumber]').fill('1234')
    await decide.locator('input[name=fapiaoFile]').setInputFiles({ name: 'fapiao.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n% e2e fapiao\n%%EOF\n') })
    await decide.locator('button:has-text("标记为已开具")').click()
    await expect.poll(() => decide.locator('label:has(input[name=fapiaoNumber]) .error').textContent()).toBe('发票号码是 20 位数字，请对照税务系统开出的号码填写。')
    expect(await decide.locator('.file-name').textContent()).toBe('fapiao.pdf')
    await bothLanguages('console-fapiao-issue')

    await decide.locator('input[name=fapiaoNumber]').fill('26312000000012345678')
    await decide.locator('button:has-text("标记为已开具")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe(`${number} 已标记为已开具，发票号码 26312000000012345678。`)

    await page.selectOption('select[name=status]', 'issued')
    await expect.poll(() => page.locator(`tr[data-invoice="${number}"]`).textContent()).toContain('26312000000012345678')
    // A second request refused with a reason: the device sees the refusal and its reason.
    const second = await device.call('POST', '/v1/checkouts', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 2000, currency: 'CNY' } } }, { 'idempotency-key': 'e2e-console-fapiao-2' })
    expect(await relay.alipayPaid(second.body.order.orderNo, 2000)).toMatchObject({ text: 'success' })
    const number2 = (await device.call('GET', '/v1/invoices')).body.invoices.find((i: any) => i.source.orderNo === second.body.order.orderNo).number as string
    expect((await device.call('POST', `/v1/invoices/${number2}/fapiao`)).status).toBe(200)
    await page.selectOption('select[name=status]', 'requested')
    const row2 = page.locator(`tr[data-invoice="${number2}"]`)
    // The number of the fapiao issued above is that invoice's: refused beside the number.
    await row2.locator('button:has-text("开具")').click()
    const issue2 = page.locator(`tr[data-decide="${number2}"]`)
    await issue2.locator('input[name=fapiaoNumber]').fill('26312000000012345678')
    await issue2.locator('input[name=fapiaoFile]').setInputFiles({ name: 'fapiao.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n% second\n%%EOF\n') })
    await issue2.locator('button:has-text("标记为已开具")').click()
    await expect.poll(() => issue2.locator('label:has(input[name=fapiaoNumber]) .error').textContent()).toBe('这个发票号码已经用于另一张账单，请核对号码。')
    expect(browser.problems.splice(0).every((p) => p.includes('400'))).toBe(true)
    await issue2.locator('button:has-text("取消")').click()
    await row2.locator('button:has-text("拒绝")').click()
    const refuse = page.locator(`tr[data-decide="${number2}"]`)
    await refuse.locator('button:has-text("拒绝申请")').click()
    await expect.poll(() => refuse.locator('.error').first().textContent()).toBe('请写明拒绝原因，用户会据此修改后重新申请。')
    await refuse.locator('input[name=reason]').fill('抬头与纳税人识别号不符，请核对开票信息')
    await refuse.locator('button:has-text("拒绝申请")').click()
    await expect.poll(() => page.textContent('[role=status]')).toBe(`已拒绝 ${number2} 的申请。`)
    await page.selectOption('select[name=status]', 'refused')
    await expect.poll(() => page.locator(`tr[data-invoice="${number2}"]`).textContent()).toContain('抬头与纳税人识别号不符')
    const listed = (await device.call('GET', '/v1/invoices')).body
    expect(JSON.stringify(listed)).toContain('抬头与纳税人识别号不符')

    // The device gets the file the operator uploaded.
    const file = await fetch(`${relay.url}/v1/invoices/${number}/fapiao/file`, { headers: { authorization: `Bearer ${device.token}` } })
    expect(file.status).toBe(200)
    expect(Buffer.from(await file.arrayBuffer()).toString()).toContain('% e2e fapiao')
    expect(browser.problems).toEqual([])
  })

  it('pages a long queue: 50 waiting requests, the longest waiting first, and 加载更多 brings the rest', async () => {
    const device = await enrolDevice('e2e fapiao queue')
    expect((await device.call('PUT', '/v1/billing-details', { type: 'personal', title: '李四', email: 'li@example.com' })).status).toBe(200)
    const numbers: string[] = []
    for (let i = 0; i < 52; i++) {
      const checkout = await device.call('POST', '/v1/checkouts', { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 1000 + i, currency: 'CNY' } } }, { 'idempotency-key': `e2e-console-queue-${i}` })
      expect(await relay.alipayPaid(checkout.body.order.orderNo, 1000 + i)).toMatchObject({ text: 'success' })
      const number = (await device.call('GET', '/v1/invoices')).body.invoices.find((x: any) => x.source.orderNo === checkout.body.order.orderNo).number as string
      expect((await device.call('POST', `/v1/invoices/${number}/fapiao`)).status).toBe(200)
      numbers.push(number)
    }
    await page.goto(`${relay.url}/console/#/fapiao`)
    await page.reload()
    const rows = page.locator('[data-testid=fapiao] tbody tr[data-invoice]')
    await expect.poll(() => rows.count()).toBe(50)
    expect(await rows.first().getAttribute('data-invoice')).toBe(numbers[0])
    await bothLanguages('console-fapiao-queue')
    await page.getByRole('button', { name: '加载更多' }).click()
    await expect.poll(() => rows.count()).toBe(52)
    expect(await rows.last().getAttribute('data-invoice')).toBe(numbers[51])
    expect(await page.getByRole('button', { name: '加载更多' }).count()).toBe(0)
    // A decision reloads the queue from its start: the one decided leaves it.
    await rows.first().locator('button:has-text("拒绝")').click()
    await page.locator(`tr[data-decide="${numbers[0]}"] input[name=reason]`).fill('请补充开票信息后重新申请')
    await page.locator(`tr[data-decide="${numbers[0]}"] button:has-text("拒绝申请")`).click()
    await expect.poll(() => rows.first().getAttribute('data-invoice')).toBe(numbers[1])
    expect(await rows.count()).toBe(50)
    expect(browser.problems).toEqual([])
  }, 60_000)
  afterAll(signOut)
})
