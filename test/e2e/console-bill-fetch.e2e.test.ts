import { expect, it } from 'vitest'
import { shot, type Browser } from './support/browser'
import { signInToConsole, withConsoleWorld } from './support/console'
import type { E2eRelay } from './support/relay'

// The reconciliation screen fetches a day's bill through the relay (Alipay's bill API, the real
// alipay-sdk against the fake gateway, the zip in GBK) and lists its difference; a day with no
// bill yet is said in the console's words beside the control, in both languages.

let browser: Browser
let relay: E2eRelay
withConsoleWorld((w) => void ({ browser, relay } = w))

const HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注'

it('fetches yesterday’s Alipay bill and lists its difference; a day with no bill is said beside the control', async () => {
  const { page, problems } = browser
  const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10)
  relay.alipay.putBill(
    yesterday,
    ['#支付宝业务明细查询', HEADER, `2026120722001100009,R-NOT-OURS,交易,充值,${yesterday} 12:00:00,${yesterday} 12:00:09,,,,,b@example.com,5.00,5.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,0.00,0.00,`].join('\r\n')
  )
  await signInToConsole(page, relay, { email: 'recon@example.com', role: 'finance', locale: 'zh-CN' })
  // Signed out until then: /v1/console/me answered 401, as it should.
  problems.splice(0)
  await page.goto(`${relay.url}/console/#/reconciliation`)
  const form = page.getByTestId('reconciliation-fetch')
  await form.locator('input[name=fetch-date]').fill(yesterday)
  await form.getByRole('button', { name: '获取并核对' }).click()
  await expect.poll(() => page.textContent('main')).toContain('已导入 1 行，发现 1 处差异。')
  await expect.poll(() => page.textContent('main')).toContain('R-NOT-OURS')
  await shot(page, 'console-reconciliation-fetched', 'zh-CN')

  await page.goto(`${relay.url}/console/#/reconciliation`)
  await form.locator('input[name=fetch-date]').fill('2025-01-01')
  await form.getByRole('button', { name: '获取并核对' }).click()
  await expect.poll(() => page.getByTestId('reconciliation-fetch-error').textContent()).toBe('支付宝还没有 2025-01-01 的账单（一般次日上午生成），请稍后再试或选择更早的日期。')
  await page.click('text=English')
  await expect.poll(() => page.getByTestId('reconciliation-fetch-error').textContent()).toBe('Alipay has no bill for 2025-01-01 yet (usually ready the next morning). Try again later or pick an earlier day.')
  await shot(page, 'console-reconciliation-no-bill', 'en')
  // The refusal is the 503 the test asked for; nothing else went wrong on the page.
  expect(problems.filter((p) => !/(^503 .*\/fetch$)|status of 503/.test(p))).toEqual([])
})
