import { describe, expect, it } from 'vitest'
import { noticeText } from '../../src/shared/notices/text'
import { NOTICE_KINDS, type Notice } from '../../src/shared/relay-contract'
import { en } from '../../src/renderer/src/i18n/en'
import { zhCN } from '../../src/renderer/src/i18n/zh-CN'
import { at } from '../subscriptions/support'

// Every notice kind has a natural sentence in both languages, built from its facts with the
// app's money and date formats; the renderer's dictionaries carry the same texts.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const facts: Notice['params'] = {
  orderNo: 'LS20260302001',
  amount: cny(2_900),
  planCode: 'PREMIUM',
  period: 'monthly',
  endsAt: at(2026, 4, 2, 10, 0),
  daysLeft: 3,
  shortfall: cny(1_200),
  invoiceNo: 'INV-2026-000123',
  creditNoteNo: 'CN-2026-000007',
  fapiaoNo: '24312000000012345678',
  graceDay: 3
}

describe('notice sentences', () => {
  it('every kind, both languages: a title and a body with every placeholder filled', () => {
    for (const kind of NOTICE_KINDS) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const { title, body } = noticeText(locale, { kind, at: at(2026, 3, 30), params: facts })
        expect(title.trim(), `${kind} ${locale}`).not.toBe('')
        expect(body, `${kind} ${locale}`).not.toMatch(/[{}]|—/)
      }
      expect(zhCN[`notice.${kind}.title`]).toBeTruthy()
      expect(en[`notice.${kind}.body`]).toBeTruthy()
    }
  })

  it('reads as a person would say it: money, dates, plan names, plurals', () => {
    const short = { kind: 'renewal_short' as const, at: 0, params: { planCode: 'BASIC' as const, endsAt: at(2026, 12, 10, 10), shortfall: cny(1_200) } }
    expect(noticeText('zh-CN', short)).toEqual({ title: '余额不足以自动续费', body: '基础版将于 2026/12/10 自动续费，余额还差 ¥12.00，请充值。' })
    expect(noticeText('en', short).body).toBe('Your Basic plan renews on 10 Dec 2026, and your balance is CN¥12.00 short. Please top up.')
    const ending = (daysLeft: number) => ({ kind: 'subscription_ending' as const, at: 0, params: { planCode: 'PREMIUM' as const, endsAt: at(2026, 4, 2), daysLeft } })
    expect(noticeText('en', ending(1)).body).toBe('Your Premium plan ends on 2 Apr 2026 (1 day left). Renew to keep it.')
    expect(noticeText('en', ending(7)).body).toBe('Your Premium plan ends on 2 Apr 2026 (7 days left). Renew to keep it.')
    const started = { kind: 'subscription_started' as const, at: 0, params: { planCode: 'BASIC' as const } }
    expect(noticeText('zh-CN', started).body).toBe('基础版已开通。')
    expect(noticeText('zh-CN', { ...started, params: { planCode: 'BASIC', endsAt: at(2026, 5, 1) } }).body).toBe('基础版已开通，有效期至 2026/05/01。')
    expect(noticeText('en', { kind: 'subscription_cancelled', at: 0, params: { planCode: 'BASIC', endsAt: at(2026, 5, 1) } }).body).toBe(
      'Your Basic plan was cancelled, usable until 1 May 2026.'
    )
  })
})
