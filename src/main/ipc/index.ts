import { assertComplete, mergeHandlers, type Handlers } from '../../shared/ipc/server'
import type { Billing } from '../billing'
import { noCheckoutUrls, openCheckoutExternally, type ExternalOpener } from './external'
import type { ExtraHandlers } from './extra'
import { toUsageItems } from './mapping'
import { silentNotifier, type Notifier } from './notify'
import type { PriceList } from './prices'
import { createPaidUse, type PaidUse } from '../paid-use'
import { paidUseHandlers } from './paid-use-handlers'
import { memorySettings, type SettingsPort } from './settings'
import { subscriptionHandlers } from './subscription-handlers'
import { couponHandlers } from './coupon-handlers'
import { walletHandlers } from './wallet-handlers'

// Main's implementation of the IPC contract over the billing core. Transport-free: the
// Electron adapter and the WebSocket host wrap the same map in createDispatcher.

export interface IpcHandlersOptions<S> {
  billing: Billing
  /** The sync service's channels (checkout, recharge options, payments, sync state): syncHandlers(sync). */
  extra: ExtraHandlers<S>
  /** Where events go after a commit; default: nowhere. */
  notify?: Notifier
  /** Fixed prices per use (tests); default: the catalog in force, read per gate call. */
  prices?: PriceList | (() => PriceList)
  settings?: SettingsPort
  /** checkout.openExternal: the URL source (sync service) and the platform's opener. */
  external?: Partial<ExternalOpener>
  liveRoomTtlMs?: number | null
  /** Quotes and live sessions shared with the host's main-process API; default: its own, notifying through `notify`. */
  paidUse?: PaidUse
}

export function createIpcHandlers<S = unknown>(opts: IpcHandlersOptions<S>): Handlers<S> {
  const { billing } = opts
  const notify = opts.notify ?? silentNotifier(billing)
  const settings = opts.settings ?? memorySettings()
  const opener: ExternalOpener = {
    checkoutUrl: opts.external?.checkoutUrl ?? noCheckoutUrls.checkoutUrl,
    open:
      opts.external?.open ??
      (async () => {
        throw new Error('no external opener installed')
      }),
    ...(opts.external?.alsoAllows ? { alsoAllows: opts.external.alsoAllows } : {})
  }
  const fixedPrices = opts.prices
  const gate = {
    prices: typeof fixedPrices === 'function' ? fixedPrices : fixedPrices ? () => fixedPrices : () => billing.subscriptions.catalog().featurePrices,
    ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {})
  }
  const paidUse =
    opts.paidUse ??
    createPaidUse({
      billing,
      prices: gate.prices,
      ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {}),
      onChanged: () => notify.balanceChanged(),
      onLiveChanged: (sessions) => void notify.events?.emit('live.changed', { sessions })
    })
  const merged = mergeHandlers<S>(
    walletHandlers<S>(billing, notify, gate),
    paidUseHandlers<S>(paidUse),
    subscriptionHandlers<S>(billing, notify),
    couponHandlers<S>(billing),
    {
      'usage.summary': () => toUsageItems(billing.quotas.usage()),
      'settings.get': () => settings.get(),
      'settings.set': (next) => settings.set(next),
      'checkout.openExternal': openCheckoutExternally(opener)
    },
    opts.extra
  )
  assertComplete(merged)
  return merged
}

export { createNotifier, silentNotifier, walletBalance, type Notifier, type NotifierOptions } from './notify'
export { runGate, liveRoomLeaseKey, type GateRequest, type GateOptions } from './gate'
export { DEFAULT_PRICES, priceOf, type PriceList, type PaidFeature } from './prices'
export { EXTRA_CHANNELS, type ExtraChannel, type ExtraHandlers } from './extra'
export { syncHandlers, forwardSyncEvents, type SyncPort } from './sync-handlers'
export { resolveRelay, relaySyncOptions, noRelaySignals, unpinnedRelayKey, type RelayEndpoint } from './relay-config'
export { memorySettings, fileSettings, DEFAULT_SETTINGS, type Settings, type SettingsPort } from './settings'
export { PROVIDER_CHECKOUT_HOSTS, isProviderCheckoutUrl, type ExternalOpener } from './external'
export { isAppPageUrl, isOwnOrigin, type AppPage } from './sender'
export { contentSecurityPolicy, type CspOptions } from './csp'
export { planId, parsePlanId } from '../../shared/ipc/plan-id'
