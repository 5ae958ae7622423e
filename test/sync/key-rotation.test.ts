import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { followKeyChain, KeySet } from '../../src/node/feed'
import { generateSigningKey, type SigningKey } from '../../src/relay/feed/keys'
import { newDevice, orderNoOf, providerPays, startWorld, topUp, type Device } from './support'

// A signing-key rotation end to end, the real relay over HTTP and the app's sync client
// (src/main/sync/key-ring.ts, src/relay/feed/key-chain.ts): announce the next key, switch to it,
// and an app that slept through all of it; then a key nobody announced.

const pem = (k: SigningKey) => k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string

/** The relay keys a device trusts, walked from its pinned key through its stored chain. */
function trustedIds(d: Device, pinned: string): string[] {
  const settings = JSON.parse(readFileSync(join(d.dir, 'settings.json'), 'utf8')) as { relayKeyChain?: string }
  return followKeyChain(KeySet.of([pinned]), JSON.parse(settings.relayKeyChain ?? '[]')).keys.ids.sort()
}

const feedKeyIds = (d: Device, w: { t: { relay: { db: { sqlite: import('better-sqlite3').Database } } } }) =>
  (w.t.relay.db.sqlite.prepare('SELECT DISTINCT key_id FROM feed WHERE account_id = ?').all(d.accountId) as { key_id: string }[]).map((r) => r.key_id).sort()

describe('relay signing-key rotation', () => {
  it('an app learns the next key, verifies the new key after the switch, and an app offline throughout still syncs', async () => {
    const [a, b] = [generateSigningKey(), generateSigningKey()]
    const w = await startWorld({ config: { signingKey: pem(a) } })
    const pinned = w.publicKey
    expect(pinned).toBe(a.publicKeyBase64)

    let on = await newDevice(w, 'online')
    await topUp(w, on, 1000)
    // The sleeper syncs once on key A, starts a checkout, and is not heard of again until the end.
    const sleeper = await newDevice(w, 'sleeper')
    const pending = await sleeper.sync.createCheckout({ idempotencyKey: 'sleeper-topup', method: 'alipay', purpose: { kind: 'recharge', amount: { amount: 700, currency: 'CNY' } } })
    const sleeperOrder = orderNoOf(sleeper, pending.orderId)
    sleeper.sync.close()
    expect(trustedIds(on, pinned)).toEqual([a.keyId])

    // 1. Announce: the relay still signs with A and serves {A, B} signed by A.
    await w.restartRelay('announce', true, { signingKey: pem(a), nextSigningKey: pem(b) })
    const announced = await on.sync.syncNow()
    expect(announced.lastError).toBeNull()
    expect(trustedIds(on, pinned)).toEqual([a.keyId, b.keyId].sort())

    // 2. Switch: B signs; A is retired from the set in force.
    await w.restartRelay('switch', true, { signingKey: pem(b) })
    await topUp(w, on, 500)
    expect(on.sync.state().lastError).toBeNull()
    expect(on.billing.wallet.balance().amount).toBe(1500)
    expect(trustedIds(on, pinned)).toEqual([b.keyId])
    expect(feedKeyIds(on, w)).toEqual([a.keyId, b.keyId].sort())
    // Its stored lease is B's: a restart re-verifies it under the stored set without alarm.
    on = on.reopen()
    on.sync.start()
    expect(on.sync.state().warnings).toEqual([])
    expect(on.sync.leaseStatus()).toBe('honoured')

    // 3. The sleeper wakes up pinned to A alone; its order was paid meanwhile.
    await providerPays(w, 'alipay', sleeperOrder, 700)
    const woke = sleeper.reopen()
    woke.sync.start()
    const s = await woke.sync.syncNow()
    expect(s.lastError).toBeNull()
    expect(woke.billing.wallet.balance().amount).toBe(700)
    expect(trustedIds(woke, pinned)).toEqual([b.keyId])
    expect(woke.sync.checkoutStatus({ orderId: pending.orderId }).status).toBe('paid')
  }, 60_000)

  it('a relay key nobody announced is refused: nothing is applied, and a chain it signs itself is ignored', async () => {
    const [a, c] = [generateSigningKey(), generateSigningKey()]
    const w = await startWorld({ config: { signingKey: pem(a) } })
    const pinned = w.publicKey
    const d = await newDevice(w, 'd')
    await topUp(w, d, 1000)
    const cursor = () => (d.billing.db.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string }).cursor
    const before = cursor()

    // Someone runs the relay's address with key C (its /v1/keys serves {C} signed by C).
    await w.restartRelay('impostor', true, { signingKey: pem(c) })
    const keys = await w.t.api('GET', '/v1/keys')
    expect(keys.body.chain.map((doc: { keys: { keyId: string }[] }) => doc.keys.map((k) => k.keyId))).toEqual([[c.keyId]])
    const c1 = await d.sync.createCheckout({ idempotencyKey: 'after-impostor', method: 'alipay', purpose: { kind: 'recharge', amount: { amount: 300, currency: 'CNY' } } })
    await providerPays(w, 'alipay', orderNoOf(d, c1.orderId), 300)
    const s = await d.sync.syncNow()
    expect(s.lastError).toMatch(/outside the trusted key set/)
    expect(d.billing.wallet.balance().amount).toBe(1000)
    expect(cursor()).toBe(before)
    expect(trustedIds(d, pinned)).toEqual([a.keyId])

    // Back on A (the real relay): the same device carries on, the payment included.
    await w.restartRelay('back', true, { signingKey: pem(a) })
    const back = await d.sync.syncNow()
    expect(back.lastError).toBeNull()
    expect(d.billing.wallet.balance().amount).toBe(1300)
  }, 60_000)
})
