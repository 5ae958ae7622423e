import { BillingError } from '../../shared/errors'

// Lease errors reuse the shared HOLD_* codes (a gauge lease is a hold on capacity).
// They live here because src/shared/errors.ts has no classes for those codes yet.

/** Heartbeat on a lease whose TTL passed: the capacity was freed; acquire again. */
export class LeaseExpired extends BillingError {
  constructor(leaseId: string, expiredAt: number | null) {
    super('HOLD_EXPIRED', `lease ${leaseId} expired; acquire a new one`, { leaseId, expiredAt })
  }
}

/** Heartbeat on a lease that was released. */
export class LeaseClosed extends BillingError {
  constructor(leaseId: string, status: string) {
    super('HOLD_CLOSED', `lease ${leaseId} is ${status}`, { leaseId, status })
  }
}
