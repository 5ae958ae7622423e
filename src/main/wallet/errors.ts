import { BillingError } from '../../shared/errors'

// Wallet-specific errors; their codes are already part of the shared ERROR_CODES.

export class HoldExpired extends BillingError {
  constructor(holdId: string, expiresAt: number) {
    super('HOLD_EXPIRED', `hold ${holdId} expired at ${new Date(expiresAt).toISOString()}`, { holdId, expiresAt })
  }
}

export class HoldClosed extends BillingError {
  constructor(holdId: string, status: string) {
    super('HOLD_CLOSED', `hold ${holdId} is already ${status}`, { holdId, status })
  }
}

export class AlreadyClaimed extends BillingError {
  constructor(accountId: string) {
    super('ALREADY_CLAIMED', `first-free was already used by account ${accountId}`, { accountId })
  }
}
