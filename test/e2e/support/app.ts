import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHost, type Host } from '../../../src/host/host'
import type { Locale } from '../../../src/shared/ipc/types'
import type { E2eRelay } from './relay'

// The host as the e2e tests run it: the real core and sync service on a fresh data folder,
// enrolled with a one-time code into a new account on the real relay. Checkouts waiting for
// payment are polled every half second (the app's default is 3 s), so a payment reaches the
// screen quickly; nothing else is shortened.

export interface E2eApp {
  host: Host
  settingsPath: string
  close(): Promise<void>
}

export async function startApp(relay: E2eRelay, locale: Locale): Promise<E2eApp> {
  // Not tempDir(): that one is emptied after every test, and an app lives through several.
  const dir = mkdtempSync(join(tmpdir(), 'e2e-app-'))
  const settingsPath = join(dir, 'settings.json')
  writeFileSync(settingsPath, JSON.stringify({ locale }))
  const host = await startHost({
    dataDir: dir,
    settingsPath,
    relay: { url: relay.url, publicKey: relay.publicKey, enrolmentCode: await relay.enrolmentCode(), deviceName: `e2e ${locale}` },
    sync: { schedule: { checkoutMs: 500 } }
  })
  return {
    host,
    settingsPath,
    async close() {
      await host.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The relay's order number of the local checkout showing this QR content. */
export function orderNoOfQr(host: Host, content: string): string {
  const row = host.billing.db.sqlite.prepare('SELECT order_no AS n FROM sync_orders WHERE content = ?').get(content) as { n: string } | undefined
  if (!row) throw new Error(`no local order shows ${content}`)
  return row.n
}

/** The relay's order number of a local order id. */
export function orderNoOf(host: Host, orderId: string): string {
  const row = host.billing.db.sqlite.prepare('SELECT order_no AS n FROM sync_orders WHERE id = ?').get(orderId) as { n: string } | undefined
  if (!row) throw new Error(`no local order ${orderId}`)
  return row.n
}

/** The relay account the host enrolled into (from its sync settings). */
export function accountOf(host: Host): string {
  return (JSON.parse(readFileSync(join(host.dataDir, 'sync-settings.json'), 'utf8')) as { accountId: string }).accountId
}
