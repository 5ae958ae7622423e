import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startHost, type Host } from '../../../src/host/host'
import { createSyncStandIn, type SyncStandIn } from '../../../src/host/sync-stand-in'
import { temporaryUnavailableExtras } from '../../../src/main/ipc'
import { DEFAULT_RECHARGE_RULES } from '../../../src/relay/pricing/catalog'
import type { PaymentRecord } from '../../../src/shared/ipc/types'
import type { Locale } from '../../../src/shared/ipc/types'
import { tempDir } from '../../support/db'

// The host as the e2e tests run it: the real core on a fresh file. The sync service's
// channels are not built yet (issue 4), so the tests plug in STAND-INS for exactly those:
// recharge limits as the relay's defaults, a fixed payments mirror, and a sync state the
// test sets by hand. Checkout stays UNAVAILABLE.

export interface E2eApp {
  host: Host
  settingsPath: string
  sync: SyncStandIn
  payments: PaymentRecord[]
}

export async function startApp(locale: Locale): Promise<E2eApp> {
  const dir = tempDir('e2e-')
  const settingsPath = join(dir, 'settings.json')
  writeFileSync(settingsPath, JSON.stringify({ locale }))
  const payments: PaymentRecord[] = []
  let sync: SyncStandIn | undefined
  const host = await startHost({
    dbPath: join(dir, 'billing.sqlite'),
    settingsPath,
    extra: ({ notify, billing }) => {
      sync = createSyncStandIn(notify, billing.clock, { online: true, lastSyncAt: billing.clock.now() })
      const r = DEFAULT_RECHARGE_RULES
      const cny = (amount: number) => ({ amount, currency: r.currency })
      return {
        ...temporaryUnavailableExtras(),
        ...sync.handlers,
        'recharge.options': () => ({
          presets: r.presets.map(cny),
          min: cny(r.min),
          max: cny(r.max),
          methods: ['alipay', 'wechat', 'stripe', 'paypal']
        }),
        'payments.history': (q) => ({
          items: payments.filter((p) => !q.kinds || q.kinds.includes(p.kind)).slice(0, q.limit),
          nextCursor: null
        })
      }
    }
  })
  if (!sync) throw new Error('sync stand-in not created')
  return { host, sync, payments, settingsPath }
}
