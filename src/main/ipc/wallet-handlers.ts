import type { Handlers } from '../../shared/ipc/server'
import type { Billing } from '../billing'
import { runGate, type GateOptions } from './gate'
import { walletHistoryPage } from './wallet-history'
import type { Notifier } from './notify'

type WalletChannels = 'wallet.balance' | 'wallet.history' | 'wallet.chargeOrFree'

export function walletHandlers<S>(billing: Billing, notify: Notifier, gate: GateOptions): Pick<Handlers<S>, WalletChannels> {
  return {
    'wallet.balance': () => notify.balance(),
    'wallet.history': (q) => walletHistoryPage(billing, q),
    'wallet.chargeOrFree'({ idempotencyKey, feature }) {
      const outcome = runGate(billing, { key: idempotencyKey, feature }, gate)
      if (outcome.outcome !== 'needs_recharge') notify.balanceChanged()
      return outcome
    }
  }
}
