import { PROVIDERS } from '../../shared/catalog'
import type { Output } from '../../shared/ipc/contract'
import type { RelayClient } from './relay-client'

export type RechargeOptions = Output<'recharge.options'>

/** Shown until the relay's prices are fetched (offline since start-up, say). */
const PRESETS = [1000, 3000, 5000, 10000, 20000, 50000]

function builtInRechargeOptions(): RechargeOptions {
  return {
    presets: PRESETS.map((amount) => ({ amount, currency: 'CNY' as const })),
    min: { amount: 100, currency: 'CNY' },
    max: { amount: 500000, currency: 'CNY' },
    methods: [...PROVIDERS]
  }
}

/** The relay's recharge presets and limits, fetched once per run of the app. */
export class RechargeOptionsCache {
  private fetched: RechargeOptions | null = null

  constructor(private readonly relay: () => RelayClient) {}

  async fetchOnce(): Promise<void> {
    if (this.fetched) return
    const prices = await this.relay().prices()
    const { currency } = prices.recharge
    this.fetched = {
      presets: prices.recharge.presets.map((amount) => ({ amount, currency })),
      min: { amount: prices.recharge.min, currency },
      max: { amount: prices.recharge.max, currency },
      methods: [...PROVIDERS]
    }
  }

  current(): RechargeOptions {
    return this.fetched ?? builtInRechargeOptions()
  }
}
