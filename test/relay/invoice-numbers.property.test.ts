import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseDocumentNumber } from '../../src/relay/invoices/numbers'
import type { OrderRow } from '../../src/relay/store/ports'
import { enrolDevice, startTestRelay } from './support/relay'

// Gap-free numbers as a property over the real store: whatever mix of issuing units commits,
// rolls back, or rolls back only a savepoint around the issue, the committed invoices are
// numbered 1..n in the order they committed, and every rolled-back number is given again.

type Step = 'commit' | 'rollback' | 'savepoint_rollback'

describe('invoice numbers', () => {
  it('are 1..n over committed units, whatever rolls back', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const core = t.relay.core
    let seq = 0
    const order = (): OrderRow => {
      seq++
      return {
        id: `ord_${seq}`, order_no: `R${String(seq).padStart(8, '0')}`, account_id: dev.accountId, device_id: dev.deviceId, client_key: `k${seq}`,
        request_fingerprint: 'fp', provider: 'stripe', item_json: JSON.stringify({ kind: 'recharge', amount: { amount: 100 + seq, currency: 'CNY' } }),
        subject: 'recharge', amount: 100 + seq, currency: 'CNY', refunded_amount: 0, state: 'paid', checkout_json: null, provider_ref: null,
        provider_payment_id: null, expires_at: 0, created_at: t.clock.now(), updated_at: t.clock.now(), discount_amount: 0, bonus_amount: 0, catalog_version: null
      }
    }
    const committed: string[] = []
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Step>('commit', 'rollback', 'savepoint_rollback'), { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const step of steps) {
          const o = order()
          const issue = (tx: Parameters<Parameters<typeof core.store.unit>[0]>[0]) => core.invoicing.invoices.issueForOrder(tx, o, 0, core.clock.now())
          if (step === 'commit') committed.push((await core.store.unit(issue))!.number)
          else if (step === 'rollback') {
            await expect(core.store.unit(async (tx) => { await issue(tx); throw new Error('rolled back') })).rejects.toThrow('rolled back')
          } else {
            // The outer unit commits; only the savepoint around the issue is undone.
            await core.store.unit(async (tx) => {
              await expect(tx.nested(async (n) => { await issue(n); throw new Error('savepoint') })).rejects.toThrow('savepoint')
            })
          }
        }
        expect(committed.map((n) => parseDocumentNumber(n)!.n)).toEqual(committed.map((_, i) => i + 1))
        const stored = t.relay.db.sqlite.prepare('SELECT number FROM invoices ORDER BY number').all() as { number: string }[]
        expect(stored.map((r) => r.number)).toEqual(committed)
      }),
      { numRuns: 25 }
    )
    expect(committed.length).toBeGreaterThan(0)
  }, 60_000)
})
