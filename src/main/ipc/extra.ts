import { BillingError } from '../../shared/errors'
import type { Handlers } from '../../shared/ipc/server'

// The channels the sync service (issue 4) implements: they need the relay (checkouts,
// recharge limits, payments mirror) or the sync engine's state. createIpcHandlers takes
// them from outside, so the Electron app and the test host plug the same service in.

export const EXTRA_CHANNELS = [
  'recharge.options',
  'checkout.create',
  'checkout.status',
  'checkout.cancel',
  'payments.history',
  'sync.state',
  'sync.now'
] as const
export type ExtraChannel = (typeof EXTRA_CHANNELS)[number]

export type ExtraHandlers<S = unknown> = Pick<Handlers<S>, ExtraChannel>

/**
 * TEMPORARY, until the sync service exists: every sync channel answers a typed UNAVAILABLE
 * error, so the screens say "not available" instead of inventing data. Remove once the
 * service's handlers are wired in (src/main/electron/index.ts, src/host/start.ts).
 */
export function temporaryUnavailableExtras<S = unknown>(): ExtraHandlers<S> {
  const unavailable = (): never => {
    throw new BillingError('UNAVAILABLE', 'payments and sync are not connected yet (sync service pending)')
  }
  return {
    'recharge.options': unavailable,
    'checkout.create': unavailable,
    'checkout.status': unavailable,
    'checkout.cancel': unavailable,
    'payments.history': unavailable,
    'sync.state': unavailable,
    'sync.now': unavailable
  }
}
