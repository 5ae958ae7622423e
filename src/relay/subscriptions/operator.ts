import { z } from 'zod'
import { InvalidInput, NotFound } from '../../shared/errors'
import { BillingPeriodSchema, PlanCodeSchema } from '../../shared/relay-contract'
import type { RelayStore } from '../store/ports'
import type { Clock } from '../../node/clock'
import type { GrantRow } from '../store/ports'
import type { Grants } from './grants'

// An operator's grant of a plan period to an account (goodwill, a partner, support): a relay
// subscription record like any other, paid by nobody (price 0, so a later switch carries none of
// it), extending the same plan or switching by the one rule, mirrored by every device. The
// admin route calls it; the operator console will too.

export const OperatorGrantSchema = z.strictObject({
  planCode: PlanCodeSchema.exclude(['FREE']),
  period: BillingPeriodSchema,
  /** Why, for the operator's log (required: a grant without a reason cannot be audited). */
  reason: z.string().trim().min(3).max(200)
})
export type OperatorGrant = z.infer<typeof OperatorGrantSchema>

export async function grantByOperator(store: RelayStore, clock: Clock, grants: Grants, accountId: string, input: unknown): Promise<GrantRow> {
  const parsed = OperatorGrantSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInput(`${issue?.path.join('.') || 'grant'}: ${issue?.message ?? 'invalid'}`)
  }
  const { planCode, period } = parsed.data
  return store.unit(async (tx) => {
    const account = await tx.accounts.get(accountId)
    if (!account) throw new NotFound('account', accountId)
    return grants.grant(tx, accountId, { source: 'operator' }, { planCode, period, price: { amount: 0, currency: account.walletCurrency } }, clock.now())
  })
}
