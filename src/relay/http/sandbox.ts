import type { FastifyInstance } from 'fastify'
import type { RelayCore } from '../core'
import { toMajorString } from '../../shared/money'
import type { SandboxAction, SandboxProvider } from '../providers/sandbox/provider'
import type { ProviderName } from '../providers/types'

// The sandbox providers' checkout pages (RELAY_SANDBOX=1 only, loopback): what a payer sees after
// scanning the QR or opening the checkout link. A choice posts the provider's signed
// notification to /v1/notify/<method> inside this process, so it takes the same verification,
// replay and order path as a real one.

const METHOD_NAMES: Record<ProviderName, string> = { alipay: '支付宝 Alipay', wechat: '微信支付 WeChat Pay', stripe: 'Stripe', paypal: 'PayPal' }
const ACTIONS: Record<SandboxAction, string> = { pay: '扫码支付 · Simulate payment', fail: '支付失败 · Decline', expire: '让订单过期 · Let it expire' }
const DONE: Record<SandboxAction, string> = { pay: '已支付，可以回到应用了 · Paid: return to the app', fail: '已拒绝支付 · Payment declined', expire: '订单已过期 · Order expired' }

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.25rem}.amount{font-size:2rem;font-weight:600;margin:.5rem 0}
form{margin:.5rem 0}button{width:100%;padding:.75rem;font-size:1rem;border-radius:.5rem;border:1px solid #d1d5db;background:#fff;cursor:pointer}button.pay{background:#2563eb;color:#fff;border-color:#2563eb}.note{color:#6b7280;font-size:.875rem}</style></head><body>${body}</body></html>`
}

function sandboxOf(core: RelayCore, name: string): SandboxProvider | undefined {
  const p = core.providers.get(name as ProviderName) as Partial<SandboxProvider> | undefined
  return p && typeof p.notification === 'function' ? (p as SandboxProvider) : undefined
}

export function sandboxRoutes(root: FastifyInstance, core: RelayCore): void {
  void root.register(async (app) => pages(app, root, core))
}

async function pages(app: FastifyInstance, root: FastifyInstance, core: RelayCore): Promise<void> {
  // The pages' forms post an empty urlencoded body: nothing in it is read.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) => done(null, {}))
  // The cashier: every checkout the sandboxes made, newest first (a desktop demo cannot scan a
  // QR that points at 127.0.0.1 with a phone). Refreshes itself.
  app.get('/sandbox', async (_req, reply) => {
    const all = [...core.providers.values()].flatMap((p) => sandboxOf(core, p.name)?.checkouts() ?? []).reverse()
    const rows = all
      .map((c) => `<li><a href="/sandbox/checkout/${c.provider}/${encodeURIComponent(c.orderNo)}">${escape(METHOD_NAMES[c.provider])} · ¥${toMajorString(c.amount)} · ${escape(c.subject)}</a></li>`)
      .join('')
    const body = `<h1>沙箱收银台 · Sandbox cashier</h1><p class="note">在应用里下单后，在这里选择订单付款。· Start a checkout in the app, then pay it here.</p>${rows ? `<ul>${rows}</ul>` : '<p>还没有订单 · No checkouts yet</p>'}`
    return reply.type('text/html').send(page('沙箱收银台', body.replace('<h1>', '<meta http-equiv="refresh" content="3"><h1>')))
  })

  app.get<{ Params: { provider: string; orderNo: string } }>('/sandbox/checkout/:provider/:orderNo', async (req, reply) => {
    const checkout = sandboxOf(core, req.params.provider)?.checkout(req.params.orderNo)
    if (!checkout) return reply.status(404).type('text/html').send(page('没有这笔订单', '<h1>没有这笔订单 · No such order</h1><p class="note">请回到应用重新下单。· Start the checkout again in the app.</p>'))
    const method = METHOD_NAMES[checkout.provider]
    const forms = (Object.keys(ACTIONS) as SandboxAction[])
      .map((a) => `<form method="post" action="/sandbox/checkout/${checkout.provider}/${encodeURIComponent(checkout.orderNo)}/${a}"><button class="${a}" type="submit">${ACTIONS[a]}</button></form>`)
      .join('')
    const body = `<h1>${escape(method)} · 沙箱 Sandbox</h1><p>${escape(checkout.subject)}</p><p class="amount">¥${toMajorString(checkout.amount)}</p>
<p class="note">订单号 Order ${escape(checkout.orderNo)} · 不会产生真实扣款 No real money moves</p>${forms}`
    return reply.type('text/html').send(page(`${method} 沙箱`, body))
  })

  app.post<{ Params: { provider: string; orderNo: string; action: string } }>('/sandbox/checkout/:provider/:orderNo/:action', async (req, reply) => {
    const action = req.params.action as SandboxAction
    const sandbox = sandboxOf(core, req.params.provider)
    const note = action in ACTIONS ? sandbox?.notification(req.params.orderNo, action) : undefined
    if (!sandbox || !note) return reply.status(404).type('text/html').send(page('没有这笔订单', '<h1>没有这笔订单 · No such order</h1>'))
    const delivered = await root.inject({ method: 'POST', url: `/v1/notify/${sandbox.name}`, headers: note.headers, payload: note.body })
    if (delivered.statusCode !== 200) {
      return reply.status(502).type('text/html').send(page('通知未送达', `<h1>通知未被接受 · The notification was refused (${delivered.statusCode})</h1><p class="note">请重试。· Try again.</p>`))
    }
    return reply.type('text/html').send(page(DONE[action], `<h1>${DONE[action]}</h1><p class="note">订单号 Order ${escape(req.params.orderNo)}</p>`))
  })
}
