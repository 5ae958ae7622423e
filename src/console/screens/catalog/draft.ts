import type { CatalogDocument } from '../../../shared/catalog'
import { LIMIT_KEYS, type LimitKey } from '../../../shared/catalog/limits'
import { parseMoney, toMajorString } from '../../../shared/money'
import { wholeNumber } from '../../form-rules'
import type { messages } from './messages'

// A new catalog version as the operator edits it: every amount as typed (yuan), every limit as
// typed (blank = unlimited), turned back into a document by toDocument, which names each field
// it cannot read by the document's own path (plans.3.price), as the relay's refusals do.

export interface PlanDraft {
  code: string
  period: string
  name: string
  price: string
  originalPrice: string
  limits: Record<LimitKey, string>
  trialDays: string
  active: boolean
}

export interface Draft {
  base: CatalogDocument
  plans: PlanDraft[]
  recharge: { min: string; max: string; presets: string }
  bonuses: { min: string; bonus: string }[] | undefined
  when: 'now' | 'at'
  at: string
}

const yuan = (fen: number): string => toMajorString({ amount: fen, currency: 'CNY' })

export function draftOf(doc: CatalogDocument): Draft {
  return {
    base: doc,
    plans: doc.plans.map((p) => ({
      code: p.code,
      period: p.period,
      name: p.name,
      price: yuan(p.price),
      originalPrice: yuan(p.originalPrice),
      limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, p.limits[k] === null ? '' : String(p.limits[k])])) as Record<LimitKey, string>,
      trialDays: String(p.trialDays),
      active: p.active
    })),
    recharge: { min: yuan(doc.rechargeRules.min), max: yuan(doc.rechargeRules.max), presets: doc.rechargeRules.presets.map(yuan).join(', ') },
    bonuses: doc.rechargeBonuses?.map((b) => ({ min: yuan(b.min), bonus: yuan(b.bonus) })),
    when: 'now',
    at: ''
  }
}

/** Why a typed value was not read: a key of the screen's messages. */
export type DraftProblem = 'money' | 'whole' | 'when'

export function toDocument(d: Draft, version: number, effectiveFrom: number): { document: CatalogDocument; problems: Record<string, DraftProblem> } {
  const problems: Record<string, DraftProblem> = {}
  const fen = (text: string, field: string): number => {
    try {
      return parseMoney(text, 'CNY').amount
    } catch {
      problems[field] = 'money'
      return 0
    }
  }
  const whole = (text: string, field: string, blank: number | null): number | null => {
    const n = wholeNumber(text)
    if (n === undefined) return blank
    if (Number.isNaN(n)) problems[field] = 'whole'
    return Number.isNaN(n) ? 0 : n
  }
  const plans = d.base.plans.map((p, i) => {
    const e = d.plans[i]!
    const at = `plans.${i}`
    return {
      ...p,
      name: e.name,
      price: fen(e.price, `${at}.price`),
      originalPrice: fen(e.originalPrice, `${at}.originalPrice`),
      limits: Object.fromEntries(LIMIT_KEYS.map((k) => [k, whole(e.limits[k], `${at}.limits.${k}`, null)])) as CatalogDocument['plans'][number]['limits'],
      trialDays: whole(e.trialDays, `${at}.trialDays`, 0) ?? 0,
      active: e.active
    }
  })
  const presets = d.recharge.presets
    .split(/[,，\s]+/)
    .filter(Boolean)
    .map((p, i) => fen(p, `rechargeRules.presets.${i}`))
  const document: CatalogDocument = {
    ...d.base,
    version,
    effectiveFrom,
    plans,
    rechargeRules: { min: fen(d.recharge.min, 'rechargeRules.min'), max: fen(d.recharge.max, 'rechargeRules.max'), presets },
    ...(d.bonuses ? { rechargeBonuses: d.bonuses.map((b, i) => ({ min: fen(b.min, `rechargeBonuses.${i}.min`), bonus: fen(b.bonus, `rechargeBonuses.${i}.bonus`) })) } : {})
  }
  return { document, problems }
}

/** The catalog rules' reasons (src/shared/catalog/document.ts, src/relay/catalog/catalog.ts) in the console's words. */
export const KNOWN_RULES: [RegExp, keyof (typeof messages)['zh-CN']][] = [
  [/^must not be below price$/, 'rule.belowPrice'],
  [/^a paid plan costs more than 0$/, 'rule.paidZero'],
  [/^the FREE plan costs 0$/, 'rule.freeCosts'],
  [/^the FREE plan has no trial$/, 'rule.freeTrial'],
  [/^must not exceed rechargeRules\.max$/, 'rule.minAboveMax'],
  [/is outside min\.\.max$/, 'rule.presetOutside'],
  [/is listed twice/, 'rule.twice'],
  [/^must not exceed its min$/, 'rule.bonusAboveMin'],
  [/no recharge reaches it$/, 'rule.bonusUnreachable'],
  [/^must not be before .* takes effect$/, 'rule.beforeLatest'],
  [/^is in the past/, 'rule.past']
]
