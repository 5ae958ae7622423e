import { formatDate } from '../dates'
import type { Locale } from '../ipc/types'
import { formatMoney } from '../money'
import type { NoticeKind, Notice } from '../relay-contract'
import { fillTemplate } from '../template'
import { NOTICE_MESSAGES_EN, NOTICE_MESSAGES_ZH, type NoticeMessageKey } from './messages'

// A notice's title and sentence in the user's language, built from its facts: money with
// formatMoney, dates with the app's date format, the plan by its name. The renderer's list and
// main's desktop notifications both call this.

const MESSAGES: Record<Locale, Record<NoticeMessageKey, string>> = { 'zh-CN': NOTICE_MESSAGES_ZH, en: NOTICE_MESSAGES_EN }

/** Plan names as the plans screen says them (its plans.tier.* keys); another code is shown as it is. */
const PLAN_NAMES: Record<Locale, Record<string, string>> = {
  'zh-CN': { FREE: '免费版', BASIC: '基础版', PREMIUM: '高级版', ENTERPRISE: '企业版' },
  en: { FREE: 'Free', BASIC: 'Basic', PREMIUM: 'Premium', ENTERPRISE: 'Enterprise' }
}

export type NoticeFacts = Pick<Notice, 'kind' | 'at' | 'params'>

/** Kinds whose {until} says how long the plan can still be used rather than how long it runs. */
const USABLE_UNTIL: ReadonlySet<NoticeKind> = new Set(['subscription_cancelled'])

export function noticeText(locale: Locale, n: NoticeFacts): { title: string; body: string } {
  const m = MESSAGES[locale]
  const p = n.params
  const date = (ts: number): string => formatDate(ts, locale)
  const until =
    p.endsAt === undefined ? '' : fillTemplate(locale, m[USABLE_UNTIL.has(n.kind) ? 'notice.usableUntil' : 'notice.until'], { date: date(p.endsAt) })
  const missing = '—'
  const vars = {
    plan: p.planCode ? (PLAN_NAMES[locale][p.planCode] ?? p.planCode) : missing,
    amount: p.amount ? formatMoney(p.amount, locale) : missing,
    shortfall: p.shortfall ? formatMoney(p.shortfall, locale) : missing,
    endsAt: date(p.endsAt ?? n.at),
    daysLeft: p.daysLeft ?? 0,
    orderNo: p.orderNo ?? missing,
    invoiceNo: p.invoiceNo ?? missing,
    creditNoteNo: p.creditNoteNo ?? missing,
    fapiaoNo: p.fapiaoNo ?? missing,
    graceDay: p.graceDay ?? 0,
    until
  }
  return {
    title: m[`notice.${n.kind}.title`],
    body: fillTemplate(locale, m[`notice.${n.kind}.body`], vars)
  }
}
