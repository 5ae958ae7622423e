import type { CatalogDocument } from '../../shared/catalog'
import type { Output } from '../../shared/ipc/contract'

export type RechargeOptions = Output<'recharge.options'>

/**
 * The recharge presets, limits and payment methods of a catalog: the one in force on this
 * device (the relay's newest signed version; the built-in one until the first sync).
 */
export function rechargeOptionsOf(doc: CatalogDocument): RechargeOptions {
  const { currency } = doc
  return {
    presets: doc.rechargeRules.presets.map((amount) => ({ amount, currency })),
    min: { amount: doc.rechargeRules.min, currency },
    max: { amount: doc.rechargeRules.max, currency },
    methods: [...doc.paymentMethods]
  }
}
