import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, shot, type Browser } from './support/browser'
import { ensureConsoleBuilt, ensureRendererBuilt, ROOT } from './support/build'
import { seeText, texts } from './support/ui'
import { tempDir } from '../support/db'

// `npm run demo` from a clean start, as an evaluator runs it: the real script starts the relay
// with sandbox providers and the host; in Chromium a recharge by the sandbox Alipay QR and one
// by the sandbox Stripe link are paid on the relay's sandbox pages, and the balance on screen
// follows by events.

const { t, cny } = texts('zh-CN')
let demo: ChildProcess
let out = ''
let browser: Browser

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  ensureRendererBuilt()
  ensureConsoleBuilt()
  const port = await freePort()
  demo = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], { cwd: ROOT, env: { ...process.env, DEMO_PORT: String(port), DEMO_DIR: tempDir('demo-') }, stdio: ['ignore', 'pipe', 'pipe'] })
  demo.stdout!.on('data', (c: Buffer) => void (out += c.toString()))
  demo.stderr!.on('data', (c: Buffer) => void (out += c.toString()))
  const deadline = Date.now() + 90_000
  while (!/管理令牌 Admin:\s+\S+/.test(out)) {
    if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`the demo did not start:\n${out}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  browser = await launch()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  demo?.kill('SIGTERM')
})

const urlOf = (label: RegExp): string => out.match(label)![1]!

describe('npm run demo', () => {
  it('prints one URL to open, the sandbox cashier and the admin token; pays by the Alipay QR and by the Stripe link', async () => {
    const app = urlOf(/打开 Open:\s+(http:\/\/\S+)/)
    const cashier = urlOf(/沙箱收银台 Pay:\s+(http:\/\/\S+)/)
    expect(out).toMatch(/管理令牌 Admin:\s+[A-Za-z0-9_-]{32}/)
    // Signed in by an email code that the sandbox printed instead of mailing.
    expect(out).toMatch(/relay \(sandbox\) email to demo@example\.com/)
    expect(out).toContain('已登录 Signed in: demo@example.com')
    const { page, context } = browser
    await page.goto(app)
    await seeText(page.getByTestId('balance'), cny(0))
    await seeText(page.locator('footer.status-bar'), t('status.online'))

    // Alipay: the QR encodes the sandbox's page for the order.
    await page.getByText(cny(5_000), { exact: true }).click()
    await page.getByRole('radio', { name: t('method.alipay') }).check()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(5_000) }) }).click()
    const qr = page.getByRole('img', { name: t('checkout.qrAlt', { method: t('method.alipay') }) })
    await qr.waitFor()
    const content = (await qr.getAttribute('data-qr-content'))!
    expect(content.startsWith(`${cashier}/checkout/alipay/`)).toBe(true)
    await shot(page, 'demo-alipay-qr', 'zh-CN')
    const payer = await context.newPage()
    await payer.goto(content)
    await seeText(payer.locator('body'), '¥50.00')
    await shot(payer, 'demo-sandbox-page', 'zh-CN')
    await payer.getByRole('button', { name: /扫码支付/ }).click()
    await seeText(payer.locator('h1'), '已支付')
    await seeText(page.locator('.checkout .success'), t('checkout.paid', { amount: cny(5_000) }))
    await seeText(page.getByTestId('balance'), cny(5_000))
    await shot(page, 'demo-alipay-paid', 'zh-CN')
    await page.getByRole('button', { name: t('checkout.done') }).click()

    // Stripe: a link checkout; the sandbox cashier lists it.
    await page.getByText(cny(3_000), { exact: true }).click()
    await page.getByRole('radio', { name: t('method.stripe') }).check()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(3_000) }) }).click()
    await seeText(page.locator('.checkout'), t('checkout.waiting'))
    await payer.goto(cashier)
    await payer.getByRole('link', { name: /Stripe · ¥30\.00/ }).click()
    await payer.getByRole('button', { name: /扫码支付/ }).click()
    await seeText(payer.locator('h1'), '已支付')
    await seeText(page.getByTestId('balance'), cny(8_000))
    await shot(page, 'demo-stripe-paid', 'zh-CN')
    expect(out).toContain('打开付款页 open the payment page')
    await payer.close()
  }, 120_000)

  it('prints the operator console with an admin who can sign in', async () => {
    const [, url, email, password] = out.match(/运营后台 Console:\s+(http:\/\/\S+)\s+\((\S+) \/ (\S+)\)/)!
    const { page } = browser
    await page.goto(url!)
    await page.fill('input[name=email]', email!)
    await page.fill('input[name=password]', password!)
    await page.click('button[type=submit]')
    await seeText(page.getByTestId('who'), `${email}（管理员）`)
  })
})
