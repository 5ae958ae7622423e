import { formatMoney, type Money } from '../../shared/money'
import type { BillingPeriod, Notice, NoticeKind, PlanCode } from '../../shared/relay-contract'
import type { NoticeLanguage } from '../store/ports'

// The email of a notice, in the account's language: a subject, what happened, and what to do
// next; plain text and the same as HTML. Amounts and dates as the app shows them (formatMoney;
// dates in the billing time zone: 2026年3月4日, 4 Mar 2026). Transactional notices say why
// they cannot be unsubscribed from; the others carry their kind's unsubscribe link.

/** Kinds the law requires us to send (receipts, refunds, invoices): no unsubscribe link. */
export const TRANSACTIONAL: ReadonlySet<NoticeKind> = new Set<NoticeKind>([
  'payment_received',
  'recharge_credited',
  'refund',
  'invoice_issued',
  'credit_note',
  'fapiao_issued'
])

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const dateFormats = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'short', day: 'numeric' })
}

export const formatNoticeDate = (ms: number, lang: NoticeLanguage): string => dateFormats[lang].format(ms)

const PLAN_NAMES: Record<NoticeLanguage, Record<PlanCode, string>> = {
  'zh-CN': { FREE: '免费版', BASIC: '基础版', PREMIUM: '高级版', ENTERPRISE: '企业版' },
  en: { FREE: 'Free', BASIC: 'Basic', PREMIUM: 'Premium', ENTERPRISE: 'Enterprise' }
}
const PERIOD_NAMES: Record<NoticeLanguage, Record<BillingPeriod, string>> = {
  'zh-CN': { monthly: '月付', quarterly: '季付', yearly: '年付', lifetime: '终身' },
  en: { monthly: 'monthly', quarterly: 'quarterly', yearly: 'yearly', lifetime: 'lifetime' }
}

/** The values a template fills in, already formatted; '' where the notice does not carry one. */
interface Vars {
  plan: string
  period: string
  amount: string
  shortfall: string
  endsAt: string
  daysLeft: number
  graceDay: number
  orderNo: string
  invoiceNo: string
  creditNoteNo: string
  fapiaoNo: string
  /** past_due: the grace period is over (its last notice). */
  final: boolean
}

type Template = (v: Vars) => { subject: string; lines: string[] }

const zh: Record<NoticeKind, Template> = {
  payment_received: (v) => ({
    subject: `付款成功：${v.plan}`,
    lines: [`我们已收到您的付款 ${v.amount}（订单号 ${v.orderNo}），${v.plan}${v.period ? `（${v.period}）` : ''}已生效${v.endsAt ? `，有效期至 ${v.endsAt}` : ''}。`, '打开直播助手即可使用；需要发票时，可在“账单”中申请。']
  }),
  recharge_credited: (v) => ({
    subject: `充值到账：${v.amount}`,
    lines: [`${v.amount} 已存入您的钱包（订单号 ${v.orderNo}）。`, '余额可用于直播、AI 功能和导出，也可用来续费套餐。']
  }),
  subscription_started: (v) => ({
    subject: `${v.plan}已开通`,
    lines: [`您的${v.plan}${v.period ? `（${v.period}）` : ''}已开通${v.endsAt ? `，有效期至 ${v.endsAt}` : ''}。`, '打开直播助手即可使用新套餐的全部功能。']
  }),
  subscription_renewed: (v) => ({
    subject: `${v.plan}已续费`,
    lines: [`续费成功，您的${v.plan}现有效期至 ${v.endsAt}。`, '无需任何操作，直播助手会自动更新。']
  }),
  subscription_cancelled: (v) => ({
    subject: `${v.plan}已终止`,
    lines: [`您的${v.plan}已${v.endsAt ? `于 ${v.endsAt} ` : ''}终止（对应的订单已退款），账户回到免费版。`, '如需继续使用，可在直播助手的“套餐”中重新订阅。']
  }),
  subscription_expired: (v) => ({
    subject: `${v.plan}已到期`,
    lines: [`您的${v.plan}已于 ${v.endsAt} 到期，账户回到免费版。`, '在直播助手的“套餐”中续费，即可恢复全部功能。']
  }),
  subscription_ending: (v) => ({
    subject: `${v.plan}将在 ${v.daysLeft} 天后到期`,
    lines: [`您的${v.plan}将于 ${v.endsAt} 到期。`, '如需继续使用，请在到期前在直播助手的“套餐”中续费。']
  }),
  renewal_short: (v) => ({
    subject: `余额不足，请充值以续费${v.plan}`,
    lines: [`您的${v.plan}将于 ${v.endsAt} 从钱包自动续费，但钱包余额还差 ${v.shortfall}。`, `请在到期前充值至少 ${v.shortfall}，续费会自动完成。`]
  }),
  trial_ending: (v) => ({
    subject: `${v.plan}试用将在 ${v.daysLeft} 天后结束`,
    lines: [`您的${v.plan}试用将于 ${v.endsAt} 结束，之后账户回到免费版。`, '如需继续使用，请在试用结束前在直播助手的“套餐”中订阅。']
  }),
  past_due: (v) =>
    v.final
      ? {
          subject: `欠款 ${v.amount} 未结清，用欠款购买的套餐已停用`,
          lines: [`宽限期已结束，账户仍欠款 ${v.amount}。用欠款购买的套餐已停用，其他已付费的套餐不受影响。`, `充值 ${v.amount} 即可结清欠款；之后重新订阅即可恢复。`]
        }
      : {
          subject: `账户欠款 ${v.amount}，请尽快结清`,
          lines: [
            `您的账户欠款 ${v.amount}（宽限期第 ${v.graceDay} 天）。按量付费的功能已暂停；已付费的套餐照常使用。`,
            `请在 ${v.endsAt} 前充值 ${v.amount} 结清欠款，否则用欠款购买的套餐将停用。`
          ]
        },
  refund: (v) => ({
    subject: `退款已办理：${v.amount}`,
    lines: [`订单 ${v.orderNo} 的退款 ${v.amount} 已办理，款项将原路退回。`, '到账时间以支付渠道为准，通常几个工作日内到账。']
  }),
  invoice_issued: (v) => ({
    subject: `发票已开具：${v.invoiceNo}`,
    lines: [`您的发票 ${v.invoiceNo}${v.amount ? `（${v.amount}）` : ''}已开具。`, '可在直播助手的“账单”中查看和下载。']
  }),
  credit_note: (v) => ({
    subject: `贷项通知单已开具：${v.creditNoteNo}`,
    lines: [`我们已为${v.invoiceNo ? `发票 ${v.invoiceNo} ` : '您的发票'}开具贷项通知单 ${v.creditNoteNo}${v.amount ? `（${v.amount}）` : ''}。`, '可在直播助手的“账单”中查看和下载。']
  }),
  fapiao_issued: (v) => ({
    subject: `发票已开具：${v.fapiaoNo}`,
    lines: [`您申请的发票 ${v.fapiaoNo}${v.amount ? `（${v.amount}）` : ''}已开具。`, '可在直播助手的“账单”中查看和下载。']
  }),
  debt_created: (v) => ({
    subject: `账户出现欠款：${v.amount}`,
    lines: [
      `离线使用超出了钱包余额，账户现欠款 ${v.amount}。按量付费的功能已暂停；已付费的套餐照常使用。`,
      `请在 ${v.endsAt} 前充值 ${v.amount} 结清欠款，否则用欠款购买的套餐将停用。`
    ]
  })
}

const en: Record<NoticeKind, Template> = {
  payment_received: (v) => ({
    subject: `Payment received: ${v.plan}`,
    lines: [`We have received your payment of ${v.amount} (order ${v.orderNo}). Your ${v.plan} plan${v.period ? ` (${v.period})` : ''} is active${v.endsAt ? ` until ${v.endsAt}` : ''}.`, 'Open the app to use it. If you need an invoice, request one under Billing.']
  }),
  recharge_credited: (v) => ({
    subject: `Top-up credited: ${v.amount}`,
    lines: [`${v.amount} has been added to your wallet (order ${v.orderNo}).`, 'You can spend it on live sessions, AI features and exports, or on renewing your plan.']
  }),
  subscription_started: (v) => ({
    subject: `Your ${v.plan} plan is active`,
    lines: [`Your ${v.plan} plan${v.period ? ` (${v.period})` : ''} has started${v.endsAt ? ` and runs until ${v.endsAt}` : ''}.`, 'Open the app to use everything the plan includes.']
  }),
  subscription_renewed: (v) => ({
    subject: `Your ${v.plan} plan is renewed`,
    lines: [`Your ${v.plan} plan now runs until ${v.endsAt}.`, 'Nothing to do: the app updates by itself.']
  }),
  subscription_cancelled: (v) => ({
    subject: `Your ${v.plan} plan has ended`,
    lines: [`Your ${v.plan} plan ended${v.endsAt ? ` on ${v.endsAt}` : ''} because its order was refunded; your account is back on the Free plan.`, 'To keep using it, subscribe again under Plans in the app.']
  }),
  subscription_expired: (v) => ({
    subject: `Your ${v.plan} plan has expired`,
    lines: [`Your ${v.plan} plan expired on ${v.endsAt}; your account is back on the Free plan.`, 'Renew under Plans in the app to get all its features back.']
  }),
  subscription_ending: (v) => ({
    subject: `Your ${v.plan} plan ends in ${v.daysLeft} ${v.daysLeft === 1 ? 'day' : 'days'}`,
    lines: [`Your ${v.plan} plan ends on ${v.endsAt}.`, 'To keep using it, renew under Plans in the app before then.']
  }),
  renewal_short: (v) => ({
    subject: `Top up to renew your ${v.plan} plan`,
    lines: [`Your ${v.plan} plan renews from your wallet on ${v.endsAt}, but the wallet is ${v.shortfall} short.`, `Top up at least ${v.shortfall} before then and the renewal goes through by itself.`]
  }),
  trial_ending: (v) => ({
    subject: `Your ${v.plan} trial ends in ${v.daysLeft} ${v.daysLeft === 1 ? 'day' : 'days'}`,
    lines: [`Your ${v.plan} trial ends on ${v.endsAt}; then your account is back on the Free plan.`, 'To keep using it, subscribe under Plans in the app before the trial ends.']
  }),
  past_due: (v) =>
    v.final
      ? {
          subject: `${v.amount} still owed: plans bought on credit have stopped`,
          lines: [`The grace period is over and your account still owes ${v.amount}. Plans bought with that debt have stopped; plans you paid for are not affected.`, `Top up ${v.amount} to settle the debt, then subscribe again to get them back.`]
        }
      : {
          subject: `Your account owes ${v.amount}: please settle it`,
          lines: [
            `Your account owes ${v.amount} (day ${v.graceDay} of the grace period). Pay-per-use features are paused; plans you paid for keep working.`,
            `Top up ${v.amount} before ${v.endsAt} to settle it, or plans bought with the debt will stop.`
          ]
        },
  refund: (v) => ({
    subject: `Refund issued: ${v.amount}`,
    lines: [`We have refunded ${v.amount} for order ${v.orderNo}, to the way you paid.`, 'When it arrives depends on your payment provider, usually within a few working days.']
  }),
  invoice_issued: (v) => ({
    subject: `Invoice issued: ${v.invoiceNo}`,
    lines: [`Your invoice ${v.invoiceNo}${v.amount ? ` (${v.amount})` : ''} has been issued.`, 'You can view and download it under Billing in the app.']
  }),
  credit_note: (v) => ({
    subject: `Credit note issued: ${v.creditNoteNo}`,
    lines: [`We have issued credit note ${v.creditNoteNo}${v.amount ? ` (${v.amount})` : ''}${v.invoiceNo ? ` for invoice ${v.invoiceNo}` : ''}.`, 'You can view and download it under Billing in the app.']
  }),
  fapiao_issued: (v) => ({
    subject: `Fapiao issued: ${v.fapiaoNo}`,
    lines: [`The fapiao you requested, ${v.fapiaoNo}${v.amount ? ` (${v.amount})` : ''}, has been issued.`, 'You can view and download it under Billing in the app.']
  }),
  debt_created: (v) => ({
    subject: `Your account owes ${v.amount}`,
    lines: [
      `Offline use went beyond your wallet balance, so your account now owes ${v.amount}. Pay-per-use features are paused; plans you paid for keep working.`,
      `Top up ${v.amount} before ${v.endsAt} to settle it, or plans bought with the debt will stop.`
    ]
  })
}

const FOOTER = {
  'zh-CN': {
    transactional: '这是一封交易通知：依法必须发送，因此无法退订。',
    unsubscribe: '不想再收到这类邮件？点此退订（直播助手内的通知不受影响）：',
    sign: '—— 直播助手'
  },
  en: {
    transactional: 'This is a transactional notice we are required by law to send, so it cannot be unsubscribed from.',
    unsubscribe: 'Don’t want emails like this? Unsubscribe here (notices in the app stay):',
    sign: '— Live Assistant'
  }
}

function vars(notice: Notice, lang: NoticeLanguage): Vars {
  const p = notice.params
  const money = (m: Money | undefined) => (m ? formatMoney(m, lang) : '')
  return {
    plan: p.planCode ? PLAN_NAMES[lang][p.planCode] : lang === 'en' ? 'subscription' : '套餐',
    period: p.period ? PERIOD_NAMES[lang][p.period] : '',
    amount: money(p.amount),
    shortfall: money(p.shortfall),
    endsAt: p.endsAt === undefined ? '' : formatNoticeDate(p.endsAt, lang),
    daysLeft: p.daysLeft ?? 0,
    graceDay: p.graceDay ?? 0,
    orderNo: p.orderNo ?? '',
    invoiceNo: p.invoiceNo ?? '',
    creditNoteNo: p.creditNoteNo ?? '',
    fapiaoNo: p.fapiaoNo ?? '',
    final: notice.kind === 'past_due' && p.endsAt !== undefined && p.endsAt <= notice.at
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The email of `notice` in `lang`; `unsubscribeUrl` is required for a kind that is not transactional. */
export function renderNoticeEmail(notice: Notice, lang: NoticeLanguage, unsubscribeUrl?: string): RenderedEmail {
  const { subject, lines } = (lang === 'en' ? en : zh)[notice.kind](vars(notice, lang))
  const f = FOOTER[lang]
  const transactional = TRANSACTIONAL.has(notice.kind)
  if (!transactional && !unsubscribeUrl) throw new Error(`internal: a ${notice.kind} email needs its unsubscribe link`)
  const footer = transactional ? [f.transactional] : [`${f.unsubscribe} ${unsubscribeUrl}`]
  const text = [...lines, '', f.sign, '', ...footer].join('\n')
  const htmlFooter = transactional
    ? escape(f.transactional)
    : `${escape(f.unsubscribe)} <a href="${escape(unsubscribeUrl!)}">${lang === 'en' ? 'Unsubscribe' : '退订'}</a>`
  const html = [
    `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif;line-height:1.6">`,
    ...lines.map((l) => `<p>${escape(l)}</p>`),
    `<p>${escape(f.sign)}</p>`,
    `<p style="color:#666;font-size:12px">${htmlFooter}</p>`,
    '</body></html>'
  ].join('\n')
  return { subject, text, html }
}
