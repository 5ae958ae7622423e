import { BillingError } from '../../../src/shared/errors'

export class UnavailableError extends BillingError {
  constructor() {
    super('UNAVAILABLE', 'relay unreachable')
  }
}
