import { BillingDetailsSchema, type BillingDetails } from '../../shared/billing/invoices'
import { InvalidInput } from '../../shared/errors'
import type { Clock } from '../../node/clock'
import type { RelayStore } from '../store/ports'

// 开票信息 per account: validated with the schema the app's form uses, stored on the relay, and
// copied into each invoice's buyer when it is issued (a later edit does not change an issued
// invoice; a fapiao request reads the invoice's copy, or the current details when it had none).

export class BillingDetailsBook {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock
  ) {}

  async get(accountId: string): Promise<BillingDetails | null> {
    const text = await this.store.read(async (tx) => tx.invoices.billingDetails(accountId))
    return text === undefined ? null : BillingDetailsSchema.parse(JSON.parse(text))
  }

  /** Validates and stores; a refusal lists every problem as `details.issues` [{path, message}]. */
  async put(accountId: string, input: unknown): Promise<BillingDetails> {
    const details = parseBillingDetails(input)
    await this.store.unit(async (tx) => tx.invoices.putBillingDetails(accountId, JSON.stringify(details), this.clock.now()))
    return details
  }
}

export function parseBillingDetails(input: unknown): BillingDetails {
  const parsed = BillingDetailsSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }))
  throw new InvalidInput(`billing details: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues })
}
