import { InvalidInput } from '../errors'
import { PERIODS, TIERS } from './schemas/subscriptions'

// The contract names a plan `${code}:${period}` ('BASIC:monthly'); main's IPC handlers and
// the sync service's checkouts both parse it here, so there is one format.

export type PlanTier = (typeof TIERS)[number]
export type PlanPeriod = (typeof PERIODS)[number]

export const isPlanTier = (code: string): code is PlanTier => (TIERS as readonly string[]).includes(code)

export const planId = (code: string, period: string): string => `${code}:${period}`

/** Parses a contract plan id; anything else is bad input, not a missing plan. */
export function parsePlanId(id: string): { planCode: PlanTier; period: PlanPeriod } {
  const [code, period, ...rest] = id.split(':')
  if (!code || !period || rest.length || !isPlanTier(code) || !(PERIODS as readonly string[]).includes(period)) {
    throw new InvalidInput(`not a plan id: ${id.slice(0, 64)}`, { planId: id.slice(0, 64) })
  }
  return { planCode: code, period: period as PlanPeriod }
}
