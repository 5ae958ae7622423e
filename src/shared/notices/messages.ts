// The sentences of the notices (one title and one body per NOTICE_KIND), Simplified Chinese
// first. They are part of the renderer's dictionaries (zh-CN.ts and en.ts spread them in, so
// the key and placeholder checks cover them) and main writes desktop notifications from the
// same text: main may not import the renderer, so they live here, pure.
// Placeholders: {plan} {period} {amount} {shortfall} {endsAt} {daysLeft} {orderNo} {invoiceNo}
// {creditNoteNo} {fapiaoNo} {graceDay}; {until} is notice.until filled in, or nothing.

export const NOTICE_MESSAGES_ZH = {
  'notice.until': '，有效期至 {date}',
  'notice.usableUntil': '，可继续使用至 {date}',
  'notice.payment_received.title': '付款成功',
  'notice.payment_received.body': '订单 {orderNo} 已收到付款 {amount}。',
  'notice.recharge_credited.title': '充值已到账',
  'notice.recharge_credited.body': '{amount} 已充入钱包。',
  'notice.subscription_started.title': '套餐已开通',
  'notice.subscription_started.body': '{plan}已开通{until}。',
  'notice.subscription_renewed.title': '套餐已续费',
  'notice.subscription_renewed.body': '{plan}已续费{until}。',
  'notice.subscription_cancelled.title': '套餐已取消',
  'notice.subscription_cancelled.body': '{plan}已取消{until}。',
  'notice.subscription_expired.title': '套餐已到期',
  'notice.subscription_expired.body': '{plan}已于 {endsAt} 到期，付费功能已停止，续订后即可恢复。',
  'notice.subscription_ending.title': '套餐即将到期',
  'notice.subscription_ending.body': '{plan}将于 {endsAt} 到期（还剩 {daysLeft} 天），请及时续费。',
  'notice.renewal_short.title': '余额不足以自动续费',
  'notice.renewal_short.body': '{plan}将于 {endsAt} 自动续费，余额还差 {shortfall}，请充值。',
  'notice.trial_ending.title': '试用即将结束',
  'notice.trial_ending.body': '{plan}试用将于 {endsAt} 结束（还剩 {daysLeft} 天），订阅后可继续使用。',
  'notice.past_due.title': '续费未成功',
  'notice.past_due.body': '{plan}续费未成功，现为宽限期第 {graceDay} 天，请充值以免付费功能停止。',
  'notice.refund.title': '退款已处理',
  'notice.refund.body': '订单 {orderNo} 已退款 {amount}。',
  'notice.invoice_issued.title': '发票已开具',
  'notice.invoice_issued.body': '发票 {invoiceNo} 已开具，金额 {amount}。',
  'notice.credit_note.title': '贷项凭证已开具',
  'notice.credit_note.body': '贷项凭证 {creditNoteNo} 已开具，金额 {amount}。',
  'notice.fapiao_issued.title': '电子发票已开具',
  'notice.fapiao_issued.body': '电子发票（号码 {fapiaoNo}）已开具，可在记录中查看。',
  'notice.debt_created.title': '账户有欠款',
  'notice.debt_created.body': '账户欠款 {amount}，付费功能已暂停，请先充值。'
} as const

export type NoticeMessageKey = keyof typeof NOTICE_MESSAGES_ZH

export const NOTICE_MESSAGES_EN: Record<NoticeMessageKey, string> = {
  'notice.until': ', valid until {date}',
  'notice.usableUntil': ', usable until {date}',
  'notice.payment_received.title': 'Payment received',
  'notice.payment_received.body': 'We received {amount} for order {orderNo}.',
  'notice.recharge_credited.title': 'Top-up credited',
  'notice.recharge_credited.body': '{amount} was added to your wallet.',
  'notice.subscription_started.title': 'Plan started',
  'notice.subscription_started.body': 'Your {plan} plan has started{until}.',
  'notice.subscription_renewed.title': 'Plan renewed',
  'notice.subscription_renewed.body': 'Your {plan} plan was renewed{until}.',
  'notice.subscription_cancelled.title': 'Plan cancelled',
  'notice.subscription_cancelled.body': 'Your {plan} plan was cancelled{until}.',
  'notice.subscription_expired.title': 'Plan expired',
  'notice.subscription_expired.body': 'Your {plan} plan ended on {endsAt}. Paid features have stopped; subscribe again to restore them.',
  'notice.subscription_ending.title': 'Plan ending soon',
  'notice.subscription_ending.body': 'Your {plan} plan ends on {endsAt} ({daysLeft} {daysLeft|day|days} left). Renew to keep it.',
  'notice.renewal_short.title': 'Balance too low to renew',
  'notice.renewal_short.body': 'Your {plan} plan renews on {endsAt}, and your balance is {shortfall} short. Please top up.',
  'notice.trial_ending.title': 'Trial ending soon',
  'notice.trial_ending.body': 'Your {plan} trial ends on {endsAt} ({daysLeft} {daysLeft|day|days} left). Subscribe to keep using it.',
  'notice.past_due.title': 'Renewal failed',
  'notice.past_due.body': 'Your {plan} renewal failed; this is day {graceDay} of the grace period. Top up before paid features stop.',
  'notice.refund.title': 'Refund processed',
  'notice.refund.body': 'Order {orderNo} was refunded {amount}.',
  'notice.invoice_issued.title': 'Invoice issued',
  'notice.invoice_issued.body': 'Invoice {invoiceNo} for {amount} was issued.',
  'notice.credit_note.title': 'Credit note issued',
  'notice.credit_note.body': 'Credit note {creditNoteNo} for {amount} was issued.',
  'notice.fapiao_issued.title': 'Fapiao issued',
  'notice.fapiao_issued.body': 'Fapiao {fapiaoNo} was issued; you can find it in History.',
  'notice.debt_created.title': 'You owe a balance',
  'notice.debt_created.body': 'Your account owes {amount}. Paid features are paused until you top up.'
}
