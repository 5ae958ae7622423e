import type { OutboxRecord } from '../../shared/relay-contract'

// The price check of a wallet-paid subscription purchase (a device's subscription_purchase
// record): the relay honours the price of the catalog version the device priced it by, if that
// version sells the plan at that price and was in force when it was bought. A device offline
// across a catalog change keeps selling at the version it has, so a version stays good for
// purchases made up to `graceMs` (the lease's offline lifetime) after the next one took effect.

type Purchase = Extract<OutboxRecord, { kind: 'subscription_purchase' }>

/** A catalog version as the check needs it. */
export interface CatalogVersionView {
  version: number
  effectiveFrom: number
  /** When the next version took effect; null while it is the latest. */
  supersededAt: number | null
  /** Price (minor units, `currency`) of (code, period), or null when that version does not sell it. */
  price(code: string, period: string): number | null
  currency: string
}

export interface Refusal {
  code: 'PRICE_MISMATCH' | 'NOT_SOLD' | 'CATALOG_VERSION'
  message: string
}

export function purchaseRefusal(rec: Purchase, v: CatalogVersionView | undefined, graceMs: number): Refusal | null {
  if (!v) return { code: 'CATALOG_VERSION', message: `catalog version ${rec.catalogVersion} does not exist` }
  if (rec.occurredAt < v.effectiveFrom || (v.supersededAt !== null && rec.occurredAt >= v.supersededAt + graceMs)) {
    return { code: 'CATALOG_VERSION', message: `catalog version ${v.version} was not in force when this was bought` }
  }
  const price = rec.planCode === 'FREE' ? null : v.price(rec.planCode, rec.period)
  if (price === null || price <= 0) return { code: 'NOT_SOLD', message: `${rec.planCode}/${rec.period} is not sold in catalog version ${v.version}` }
  if (rec.price.amount !== price || rec.price.currency !== v.currency) {
    return { code: 'PRICE_MISMATCH', message: `${rec.planCode}/${rec.period} costs ${price} ${v.currency} in catalog version ${v.version}` }
  }
  return null
}
