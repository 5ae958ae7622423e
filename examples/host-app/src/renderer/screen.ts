// The example host's one screen: an AI request (main gates and pays for it) and a live
// session (quoted, confirmed, ended) through window.billing, the module's contract.
import { createClient, type Transport } from '../../../../src/shared/ipc/client'
import type { QuoteDecision } from '../../../../src/shared/ipc/types'
import { formatMoney } from '../../../../src/shared/money'
import { t, type Lang } from './i18n'

declare global {
  interface Window {
    billing: Transport
    host: { askAi(prompt: string): Promise<{ ok: boolean; text?: string; reason?: string }> }
  }
}

const lang: Lang = navigator.language.startsWith('zh') ? 'zh-CN' : 'en'
const client = createClient(window.billing)
const root = document.getElementById('app') as HTMLElement
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  e.textContent = text
  return e
}
const money = (m: { amount: number; currency: string }): string => formatMoney(m as never, lang)

function describe(d: QuoteDecision): string {
  switch (d.outcome) {
    case 'paid':
      return t(lang, 'paid', { price: money(d.price) })
    case 'first_free':
      return t(lang, 'firstFree')
    case 'included':
      return t(lang, 'included')
    case 'needs_recharge':
      return t(lang, 'needsRecharge', { shortfall: money(d.shortfall) })
    case 'no_room':
      return t(lang, 'noRoom')
  }
}

document.title = t(lang, 'title')
root.append(el('h1', t(lang, 'title')))

// AI: the host's own channel; the module's gate runs in main.
const ai = el('section')
const prompt = el('input')
const ask = el('button', t(lang, 'askAi', { price: money({ amount: 10, currency: 'CNY' }) }))
const answer = el('p')
ask.onclick = async () => {
  const r = await window.host.askAi(prompt.value)
  answer.textContent = r.ok ? t(lang, 'aiAnswer', { text: r.text ?? '' }) : t(lang, 'aiRefused', { reason: r.reason ?? '' })
}
ai.append(prompt, ask, answer)

// Live: quote → confirm or cancel → live → end.
const live = el('section')
const status = el('p')
const start = el('button', t(lang, 'startLive'))
const confirm = el('button', t(lang, 'confirm'))
const cancel = el('button', t(lang, 'cancel'))
const end = el('button', t(lang, 'endLive'))
let key: string | null = null
const show = (...buttons: HTMLButtonElement[]): void => {
  for (const b of [start, confirm, cancel, end]) b.hidden = !buttons.includes(b)
}
show(start)
start.onclick = async () => {
  const r = await client.invoke('live.start', { idempotencyKey: `live:${crypto.randomUUID()}` })
  if (!r.ok) return void (status.textContent = t(lang, 'failed', { message: r.error.message }))
  key = r.value.key
  status.textContent = describe(r.value.decision)
  const ok = ['paid', 'first_free', 'included'].includes(r.value.decision.outcome)
  show(...(ok ? [confirm, cancel] : [start]))
}
confirm.onclick = async () => {
  if (!key) return
  const r = await client.invoke('gate.confirm', { key })
  status.textContent = r.ok ? t(lang, 'live') : t(lang, 'failed', { message: r.error.message })
  show(...(r.ok ? [end] : [start]))
}
cancel.onclick = async () => {
  if (key) await client.invoke('gate.cancel', { key })
  status.textContent = ''
  show(start)
}
end.onclick = async () => {
  if (key) await client.invoke('live.end', { key })
  status.textContent = ''
  show(start)
}
live.append(status, start, confirm, cancel, end)
root.append(ai, live)
