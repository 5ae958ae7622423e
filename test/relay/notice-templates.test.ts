import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AuthSecret } from '../../src/relay/auth/secret'
import { formatNoticeDate, renderNoticeEmail, TRANSACTIONAL } from '../../src/relay/notifications/templates'
import { readUnsubscribeToken, unsubscribeToken } from '../../src/relay/notifications/unsubscribe'
import { NOTICE_KINDS, type Notice } from '../../src/shared/relay-contract'

// The notice emails' words (both languages, every kind) and the unsubscribe tokens.

const at = Date.UTC(2026, 2, 3, 16, 30) // 4 Mar 2026, 00:30 in Shanghai
const full: Notice['params'] = {
  orderNo: 'R20260304000000000112345678',
  amount: { amount: 12345, currency: 'CNY' },
  planCode: 'PREMIUM',
  period: 'quarterly',
  endsAt: at + 7 * 86_400_000,
  daysLeft: 3,
  shortfall: { amount: 2800, currency: 'CNY' },
  invoiceNo: 'INV-2026-000001',
  creditNoteNo: 'CN-2026-000001',
  fapiaoNo: '24310000000000012345',
  graceDay: 3
}

describe('notice emails', () => {
  it('formats dates as the app does, in the billing time zone', () => {
    expect(formatNoticeDate(at, 'zh-CN')).toBe('2026年3月4日')
    expect(formatNoticeDate(at, 'en')).toBe('4 Mar 2026')
  })

  it('every kind has a subject and words in both languages, with no gap where a value belongs', () => {
    for (const kind of NOTICE_KINDS) {
      for (const lang of ['zh-CN', 'en'] as const) {
        const m = renderNoticeEmail({ noticeId: `n:${kind}`, kind, at, params: full }, lang, 'https://relay.example/v1/unsubscribe?token=x')
        expect(m.subject.length, `${kind} ${lang}`).toBeGreaterThan(3)
        expect(m.text).not.toMatch(/undefined|NaN|\(\)|（）|\s\./)
        expect(m.html).toContain(`lang="${lang}"`)
        if (TRANSACTIONAL.has(kind)) {
          expect(m.text).toContain(lang === 'en' ? 'required by law' : '依法必须发送')
          expect(m.text).not.toContain('unsubscribe?token')
        } else {
          expect(m.text).toContain('https://relay.example/v1/unsubscribe?token=x')
          expect(m.html).toContain('href="https://relay.example/v1/unsubscribe?token=x"')
        }
      }
    }
    const short = renderNoticeEmail({ noticeId: 'n', kind: 'renewal_short', at, params: full }, 'zh-CN', 'https://u')
    expect(short.subject).toBe('余额不足，请充值以续费高级版')
    expect(short.text).toContain('请在到期前充值至少 ¥28.00，续费会自动完成。')
    const en = renderNoticeEmail({ noticeId: 'n', kind: 'subscription_ending', at, params: { ...full, daysLeft: 1 } }, 'en', 'https://u')
    expect(en.subject).toBe('Your Premium plan ends in 1 day')
    expect(en.text).toContain('Your Premium plan ends on 11 Mar 2026.')
    const final = renderNoticeEmail({ noticeId: 'n', kind: 'past_due', at, params: { ...full, endsAt: at, graceDay: 10 } }, 'en', 'https://u')
    expect(final.subject).toBe('CN¥123.45 still owed: plans bought on credit have stopped')
  })

  it('a kind that can be unsubscribed from needs its link; HTML escapes what it shows', () => {
    expect(() => renderNoticeEmail({ noticeId: 'n', kind: 'trial_ending', at, params: full }, 'en')).toThrow(/unsubscribe link/)
    const m = renderNoticeEmail({ noticeId: 'n', kind: 'refund', at, params: { ...full, orderNo: '<b>&"' } }, 'en')
    expect(m.html).toContain('&#60;b&#62;&#38;&#34;')
    expect(m.html).not.toContain('<b>&"')
  })
})

describe('unsubscribe tokens', () => {
  const secret = new AuthSecret('unsubscribe-test-secret-0123456789abcdef')
  const other = new AuthSecret('another-secret-0123456789abcdef-another')
  const kinds = fc.constantFrom(...NOTICE_KINDS)
  const accountId = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !s.includes('\u0000'))

  it('name the account and kind they were made for, only under the secret that made them', () => {
    fc.assert(
      fc.property(accountId, kinds, (a, k) => {
        const token = unsubscribeToken(secret, a, k)
        expect(readUnsubscribeToken(secret, token)).toEqual({ accountId: a, kind: k })
        expect(readUnsubscribeToken(other, token)).toBeUndefined()
      })
    )
  })

  it('a token changed anywhere is refused (or, a spare bit of base64, still names the same account and kind)', () => {
    fc.assert(
      fc.property(accountId, kinds, fc.nat(), fc.constantFrom(...'AZaz09-_.f'), (a, k, at, c) => {
        const token = unsubscribeToken(secret, a, k)
        const i = at % token.length
        const changed = token.slice(0, i) + c + token.slice(i + 1)
        const read = readUnsubscribeToken(secret, changed)
        if (changed !== token && read !== undefined) expect(read).toEqual({ accountId: a, kind: k })
      })
    )
  })
})
