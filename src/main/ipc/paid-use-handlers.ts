import type { Handlers } from '../../shared/ipc/server'
import type { PaidUse } from '../paid-use'

type PaidUseChannels = 'gate.begin' | 'gate.confirm' | 'gate.cancel' | 'live.start' | 'live.end' | 'live.state'

// The renderer's side of a paid use: it names the feature and its key; main quotes, reserves,
// and spends only on confirm. The same PaidUse serves the host's main-process API.
export function paidUseHandlers<S>({ paidUses, live }: PaidUse): Pick<Handlers<S>, PaidUseChannels> {
  return {
    'gate.begin': ({ idempotencyKey, feature }) => paidUses.begin(feature, idempotencyKey),
    'gate.confirm': ({ key }) => paidUses.confirm(key),
    'gate.cancel': ({ key }) => paidUses.cancel(key),
    'live.start': ({ idempotencyKey }) => live.start(idempotencyKey),
    'live.end': ({ key }) => live.end(key),
    'live.state': () => ({ sessions: live.list() })
  }
}
