import type { NoticeKind } from '../../shared/relay-contract'
import type { NoticeLanguage } from '../store/ports'

// The small page an unsubscribe link answers: both languages, the account's first.

const KIND_NAMES: Record<NoticeKind, [zh: string, en: string]> = {
  payment_received: ['付款成功', 'payment received'],
  recharge_credited: ['充值到账', 'top-up credited'],
  subscription_started: ['套餐开通', 'plan started'],
  subscription_renewed: ['套餐续费', 'plan renewed'],
  subscription_cancelled: ['套餐终止', 'plan ended'],
  subscription_expired: ['套餐到期', 'plan expired'],
  subscription_ending: ['套餐即将到期', 'plan ending soon'],
  renewal_short: ['余额不足以续费', 'wallet short for renewal'],
  trial_ending: ['试用即将结束', 'trial ending soon'],
  past_due: ['欠款提醒', 'payment overdue'],
  refund: ['退款', 'refund'],
  invoice_issued: ['发票开具', 'invoice issued'],
  credit_note: ['贷项通知单', 'credit note'],
  fapiao_issued: ['发票（fapiao）开具', 'fapiao issued'],
  debt_created: ['账户欠款', 'account debt']
}

export function unsubscribePage(done: { kind: NoticeKind; language: NoticeLanguage } | undefined): string {
  const zh = done
    ? `<p>已退订“${KIND_NAMES[done.kind][0]}”邮件。直播助手内仍会显示这类通知；付款、退款和发票等交易通知依法照常发送。</p>`
    : '<p>这个退订链接无效或不完整。请打开邮件中的原始链接再试一次。</p>'
  const en = done
    ? `<p>You will no longer get “${KIND_NAMES[done.kind][1]}” emails. The app still shows these notices; receipts, refunds and invoices are still sent, as the law requires.</p>`
    : '<p>This unsubscribe link is invalid or incomplete. Open the link from the email again.</p>'
  const parts = done?.language === 'en' ? [en, zh] : [zh, en]
  return `<!doctype html><html lang="${done?.language ?? 'zh-CN'}"><head><meta charset="utf-8"><title>${done ? '退订 / Unsubscribed' : '链接无效 / Invalid link'}</title></head><body style="font-family:sans-serif;line-height:1.6;max-width:36em;margin:3em auto">${parts.join('\n')}</body></html>`
}
