// The billing periods a plan is sold for, and how many calendar months each one adds. The
// calendar arithmetic over them (anchor day, billing time zone) is src/shared/calendar.ts.

export const BILLING_PERIODS = ['monthly', 'quarterly', 'yearly', 'lifetime'] as const
export type BillingPeriod = (typeof BILLING_PERIODS)[number]
export type RecurringPeriod = Exclude<BillingPeriod, 'lifetime'>

export const PERIOD_MONTHS: Readonly<Record<RecurringPeriod, number>> = {
  monthly: 1,
  quarterly: 3,
  yearly: 12
}

export function isBillingPeriod(p: unknown): p is BillingPeriod {
  return typeof p === 'string' && (BILLING_PERIODS as readonly string[]).includes(p)
}
