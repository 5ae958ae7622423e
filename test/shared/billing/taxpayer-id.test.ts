import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BillingDetailsSchema } from '../../../src/shared/billing/invoices'
import { taxpayerIdCheckChar, taxpayerIdProblem } from '../../../src/shared/billing/taxpayer-id'

// 统一社会信用代码 (GB 32100-2015): the check character, and each problem the check names.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const first17 = fc.array(fc.constantFrom(...ALPHABET), { minLength: 17, maxLength: 17 }).map((cs) => cs.join(''))

describe('taxpayer id (GB 32100-2015)', () => {
  it('accepts known valid codes', () => {
    for (const id of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T']) expect(taxpayerIdProblem(id)).toBeNull()
    expect(taxpayerIdCheckChar('91350100M000100Y4')).toBe('3')
  })

  it('names each problem: length, a character outside the alphabet (I, O, S, V, Z, lower case), the check', () => {
    expect(taxpayerIdProblem('91350100M000100Y4')).toBe('length')
    expect(taxpayerIdProblem('91350100M000100Y433')).toBe('length')
    expect(taxpayerIdProblem('')).toBe('length')
    for (const bad of ['I', 'O', 'S', 'V', 'Z', 'm', '-']) expect(taxpayerIdProblem(`91350100${bad}000100Y43`)).toBe('character')
    expect(taxpayerIdProblem('91350100M000100Y44')).toBe('check')
    expect(taxpayerIdProblem('91350100M000100Y4O')).toBe('character')
  })

  it('accepts every generated code with its check character, and refuses every other last character', () => {
    fc.assert(
      fc.property(first17, fc.constantFrom(...ALPHABET), (head, last) => {
        const check = taxpayerIdCheckChar(head)
        expect(taxpayerIdProblem(head + check)).toBeNull()
        expect(taxpayerIdProblem(head + last)).toBe(last === check ? null : 'check')
      })
    )
  })

  it('catches any single changed character and any swap of two different neighbours', () => {
    fc.assert(
      fc.property(first17, fc.integer({ min: 0, max: 16 }), fc.constantFrom(...ALPHABET), (head, i, c) => {
        const id = head + taxpayerIdCheckChar(head)
        fc.pre(id[i] !== c)
        expect(taxpayerIdProblem(id.slice(0, i) + c + id.slice(i + 1))).toBe('check')
        if (id[i] !== id[i + 1] && i < 16) {
          const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2)
          expect(taxpayerIdProblem(swapped)).not.toBeNull()
        }
      })
    )
  })

  it('is what the billing-details schema checks, with a field and a reason per problem', () => {
    const base = { type: 'company', title: 'X 公司', email: 'a@b.cn' }
    expect(BillingDetailsSchema.safeParse({ ...base, taxpayerId: '91350100m000100y43' }).data?.taxpayerId).toBe('91350100M000100Y43')
    for (const [id, message] of [['123', 'taxpayer_id_length'], ['91350100M000100Y44', 'taxpayer_id_check'], ['91350100S000100Y43', 'taxpayer_id_character']]) {
      const r = BillingDetailsSchema.safeParse({ ...base, taxpayerId: id })
      expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['taxpayerId', message]])
    }
    // A person needs none; a company does.
    expect(BillingDetailsSchema.safeParse({ ...base, type: 'personal' }).success).toBe(true)
    expect(BillingDetailsSchema.safeParse(base).error?.issues[0]?.message).toBe('taxpayer_id_required')
  })
})
