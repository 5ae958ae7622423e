import { describe, expect, it } from 'vitest'
import { BUILT_IN_CATALOG, InvalidCatalog, parseCatalogDocument } from '../../src/shared/catalog'
import { ConsoleApiError } from '../../src/console/api'
import { fieldError, fromLocalInput, refusalOf, toLocalInput, wholeNumber } from '../../src/console/form-rules'
import { draftOf, KNOWN_RULES, toDocument } from '../../src/console/screens/catalog/draft'
import { messages } from '../../src/console/screens/catalog/messages'

// The management screens' pure parts: the catalog form read back into a document (every
// amount through parseMoney, a blank quota unlimited, each unreadable field named by the
// document's own path), refusals split by field, and Beijing-time inputs.

describe('catalog draft', () => {
  it('an untouched draft reads back as the document it came from, under the new version and time', () => {
    const { document, problems } = toDocument(draftOf(BUILT_IN_CATALOG), 2, 1_800_000_000_000)
    expect(problems).toEqual({})
    expect(document).toEqual({ ...BUILT_IN_CATALOG, version: 2, effectiveFrom: 1_800_000_000_000 })
    expect(parseCatalogDocument(document)).toEqual(document)
  })

  it('reads yuan into fen exactly, a blank quota as unlimited, presets split by commas (also full-width)', () => {
    const d = draftOf(BUILT_IN_CATALOG)
    const i = d.plans.findIndex((p) => p.code === 'BASIC' && p.period === 'monthly')
    d.plans[i] = { ...d.plans[i]!, price: '34.90', originalPrice: '0.1', limits: { ...d.plans[i]!.limits, max_streams: '' } }
    d.recharge.presets = '10, 50，100'
    const { document, problems } = toDocument(d, 2, 0)
    expect(problems).toEqual({})
    expect(document.plans[i]).toMatchObject({ price: 3490, originalPrice: 10, limits: { max_streams: null } })
    expect(document.rechargeRules.presets).toEqual([1000, 5000, 10000])
    // The relay's rule names the same path the form shows it beside.
    expect(() => parseCatalogDocument(document)).toThrow(InvalidCatalog)
    try {
      parseCatalogDocument(document)
    } catch (e) {
      expect((e as InvalidCatalog).problems.map((p) => p.field)).toContain(`plans.${i}.originalPrice`)
    }
  })

  it('names every field it cannot read', () => {
    const d = draftOf(BUILT_IN_CATALOG)
    d.plans[1] = { ...d.plans[1]!, price: '29,9', trialDays: '-1', limits: { ...d.plans[1]!.limits, max_ai_requests: '1.5' } }
    d.recharge.min = '0.001'
    d.recharge.presets = '10, abc'
    expect(toDocument(d, 2, 0).problems).toEqual({
      'plans.1.price': 'money',
      'plans.1.trialDays': 'whole',
      'plans.1.limits.max_ai_requests': 'whole',
      'rechargeRules.min': 'money',
      'rechargeRules.presets.1': 'money'
    })
  })
})

describe("the catalog rules' reasons in the console's words", () => {
  type Doc = any
  const reasons = (over: (d: Doc) => void): string[] => {
    const doc = structuredClone({ ...BUILT_IN_CATALOG }) as Doc
    over(doc)
    try {
      parseCatalogDocument(doc)
    } catch (e) {
      return (e as InvalidCatalog).problems.map((p) => p.reason)
    }
    return []
  }
  it.each([
    ['a list price below the price', (d: Doc): void => void ((d.plans[1].originalPrice = 1)), 'rule.belowPrice'],
    ['a paid plan at 0', (d: Doc): void => void (((d.plans[1].price = 0), (d.plans[1].originalPrice = 0))), 'rule.paidZero'],
    ['FREE at a price', (d: Doc): void => void (((d.plans[0].price = 100), (d.plans[0].originalPrice = 100))), 'rule.freeCosts'],
    ['FREE with a trial', (d: Doc): void => void ((d.plans[0].trialDays = 3)), 'rule.freeTrial'],
    ['a minimum above the maximum', (d: Doc): void => void (((d.rechargeRules.min = 900_000), (d.rechargeRules.presets = []))), 'rule.minAboveMax'],
    ['a preset outside', (d: Doc): void => void (d.rechargeRules.presets.push(d.rechargeRules.max + 1)), 'rule.presetOutside'],
    ['a preset twice', (d: Doc): void => void (d.rechargeRules.presets.push(d.rechargeRules.presets[0])), 'rule.twice'],
    ['a bonus above its threshold', (d: Doc): void => void ((d.rechargeBonuses = [{ min: 1000, bonus: 2000 }])), 'rule.bonusAboveMin'],
    ['a bonus no recharge reaches', (d: Doc): void => void ((d.rechargeBonuses = [{ min: d.rechargeRules.max + 100, bonus: 100 }])), 'rule.bonusUnreachable']
  ] as const)('%s: the console names the rule', (_, over, key) => {
    const found = reasons(over)
    expect(found.length).toBeGreaterThan(0)
    const keys = found.map((r) => KNOWN_RULES.find(([re]) => re.test(r))?.[1])
    expect(keys).toContain(key)
    expect(messages['zh-CN'][key]).toBeTruthy()
  })
})

describe('form kit', () => {
  it('splits a refusal by the fields it names: catalog problems, zod issues, an InvalidInput field', () => {
    const catalog = refusalOf(new ConsoleApiError(400, { code: 'INVALID_INPUT', message: 'x', details: { field: 'plans.3.price', reason: 'a paid plan costs more than 0', problems: [{ field: 'plans.3.price', reason: 'a paid plan costs more than 0' }, { field: 'rechargeRules.min', reason: 'must not exceed rechargeRules.max' }] } }))
    expect(catalog.fields).toEqual({ 'plans.3.price': 'a paid plan costs more than 0', 'rechargeRules.min': 'must not exceed rechargeRules.max' })
    expect(fieldError(catalog, 'plans.3')).toBe('a paid plan costs more than 0')
    expect(fieldError(catalog, 'plans.30')).toBeUndefined()
    const zod = refusalOf(new ConsoleApiError(400, { code: 'INVALID_INPUT', message: 'x', details: { issues: [{ path: 'off.percent', message: 'must be above 0 and at most 100' }] } }))
    expect(fieldError(zod, 'off.percent')).toBe('must be above 0 and at most 100')
    const field = refusalOf(new ConsoleApiError(400, { code: 'INVALID_INPUT', message: 'code SAVE20 exists already', details: { field: 'code' } }))
    expect(field.fields).toEqual({ code: 'code SAVE20 exists already' })
    const used = refusalOf(new ConsoleApiError(400, { code: 'INVALID_INPUT', message: 'fapiao 1 was issued for INV-1 already', details: { field: 'fapiaoNumber', reason: 'fapiao_number_used' } }))
    expect(used).toMatchObject({ fields: { fapiaoNumber: 'fapiao 1 was issued for INV-1 already' }, reason: 'fapiao_number_used' })
    expect(refusalOf(new Error('boom')).info.code).toBe('INTERNAL')
  })

  it('reads date-time inputs in Beijing time, whatever zone the browser is in', () => {
    expect(fromLocalInput('2026-12-08T09:30')).toBe(Date.UTC(2026, 11, 8, 1, 30))
    expect(fromLocalInput('2026-12-08')).toBe(Date.UTC(2026, 11, 7, 16, 0))
    expect(fromLocalInput('')).toBeUndefined()
    expect(fromLocalInput('tomorrow')).toBeUndefined()
    expect(toLocalInput(Date.UTC(2026, 11, 8, 1, 30))).toBe('2026-12-08T09:30')
  })

  it('reads whole numbers, blank as none', () => {
    expect(wholeNumber(' 12 ')).toBe(12)
    expect(wholeNumber('')).toBeUndefined()
    expect(wholeNumber('1.5')).toBeNaN()
    expect(wholeNumber('-3')).toBeNaN()
  })
})
