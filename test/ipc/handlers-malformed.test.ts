import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { channels, type ChannelName } from '../../src/shared/ipc/contract'
import { key, openCore, recharge, snapshot } from './core-fixture'
import { ipcOver } from './handlers-fixture'
import { validInputs } from './samples'

// Over the REAL core: random malformed payloads on every channel that changes state get a
// typed INVALID_INPUT and leave the ledger, the subscription and the usage exactly as they were.

const MUTATING: ChannelName[] = [
  'wallet.chargeOrFree',
  'subscription.subscribe',
  'subscription.startTrial',
  'subscription.cancel',
  'subscription.setAutoRenew',
  'settings.set',
  'checkout.quote',
  'coupons.preview',
  'invoices.downloadPdf',
  'invoices.openPdf',
  'invoices.requestFapiao',
  'invoices.setBillingDetails'
]

function malformed(sample: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(sample)
  const junk = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 }))
  return fc.oneof(
    fc.anything(),
    fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(sample).filter(([x]) => x !== k))),
    fc.tuple(fc.constantFrom(...keys), junk).map(([k, v]) => ({ ...sample, [k]: v })),
    fc.constantFrom('price', 'amount', 'balance', 'planCode', '__proto__x').map((k) => ({ ...sample, [k]: 1 }))
  )
}

describe('real handlers: malformed input changes nothing', () => {
  for (const name of MUTATING) {
    it(`${name}: INVALID_INPUT, state unchanged`, async () => {
      const { billing } = openCore()
      recharge(billing, 100_000)
      const { call } = ipcOver(billing)
      await call('subscription.startTrial', { idempotencyKey: key(), planId: 'BASIC:monthly' })
      const before = snapshot(billing)
      const schema = channels[name].input
      let tried = 0
      await fc.assert(
        fc.asyncProperty(
          malformed(validInputs[name] as Record<string, unknown>).filter((p) => !schema.safeParse(p).success),
          async (p) => {
            tried++
            const r = await call(name, p)
            expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
          }
        ),
        { numRuns: 60 }
      )
      expect(tried).toBeGreaterThan(40)
      expect(snapshot(billing)).toEqual(before)
    })
  }
})
