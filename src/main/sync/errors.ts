import { BillingError } from '../../shared/errors'

/** Paid use is paused: local data is not trusted until the next sync (the warnings say why). */
export class PaidUsePaused extends BillingError {
  constructor(warnings: string[]) {
    super('FORBIDDEN', `paid use is paused until the next sync: ${warnings.join(', ')}`, { warnings })
  }
}

/** This device may not spend more offline than it last saw from the relay minus its unsynced spending. */
export class OfflineAllowanceExceeded extends BillingError {
  constructor(details: { balance: number; required: number; shortfall: number; currency: string }) {
    super('INSUFFICIENT_FUNDS', `offline allowance exceeded: short by ${details.shortfall} minor units until the next sync`, details)
  }
}
