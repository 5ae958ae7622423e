import type { BillingClient } from '../../../shared/ipc/client'

/**
 * Calls `reload` when the catalog version main reports in its sync state changes (a new
 * version arrived from the relay): prices, plans and recharge options shown may be stale.
 */
export function onCatalogChange(client: BillingClient, reload: () => void): void {
  let seen: number | null = null
  client.on('sync.state', (state) => {
    const changed = seen !== null && state.catalogVersion !== seen
    seen = state.catalogVersion
    if (changed) reload()
  })
}
