import type { CatalogDocument } from '../../shared/catalog'
import type { Output } from '../../shared/ipc/contract'

export type RechargeOptions = Output<'recharge.options'>

/**
 * The recharge presets, limits and payment methods of a catalog: the one in force on this
 * device (the relay's newest signed version; the built-in one until the first sync). Methods:
 * the catalog's that the relay has switched on, as its latest signed lease says (no lease yet:
 * the catalog's).
 */
export function rechargeOptionsOf(doc: CatalogDocument, enabled?: readonly string[]): RechargeOptions {
  const { currency } = doc
  return {
    presets: doc.rechargeRules.presets.map((amount) => ({ amount, currency })),
    min: { amount: doc.rechargeRules.min, currency },
    max: { amount: doc.rechargeRules.max, currency },
    methods: doc.paymentMethods.filter((m) => enabled === undefined || enabled.includes(m))
  }
}
