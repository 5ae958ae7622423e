import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Wallet } from '../../src/main/wallet'
import { sequentialIds } from '../../src/node/ids'
import { setup } from './fixture'

// Postings made inside a caller's transaction are kept in memory and checked against the chain
// head instead of reloading (ledger.ts, `tentative`). Random trees of operations, some inside
// transactions and savepoints that roll back, two wallets on one file, new accounts and
// first-free claims: after every step what memory reports is what the file holds.

describe('wallet memory inside callers\' transactions', () => {
  it('always equals the file, whatever rolls back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (start) => {
        let seed = start
        const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
        const { db, clock, wallet: a } = setup()
        const b = new Wallet({ db, clock, ids: sequentialIds('b'), accountId: 'other' })
        a.recharge({ key: 'ra', paymentId: 'pa', provider: 'alipay', amount: 100_000 })
        b.recharge({ key: 'rb', paymentId: 'pb', provider: 'alipay', amount: 100_000 })
        const fileBalance = db.sqlite.prepare<[string], { balance: number }>('SELECT balance FROM wallet_accounts WHERE id = ?')
        const claimed = db.sqlite.prepare('SELECT 1 FROM wallet_first_free_claims WHERE account_id = ?')
        let k = 0
        const step = (depth: number): void => {
          const r = rnd()
          const w = rnd() < 0.5 ? a : b
          try {
            if (r < 0.35 || depth > 3) w.consume({ key: `c${k++}`, amount: 1 + Math.floor(rnd() * 5), feature: 'f', reason: '' })
            else if (r < 0.45) w.chargeOrFree({ key: `f${k++}`, price: 3, feature: 'f', reason: '' })
            else if (r < 0.5) new Wallet({ db, clock, ids: sequentialIds(`n${k}`), accountId: `acct${k++}` })
            else
              db.tx(() => {
                const n = 1 + Math.floor(rnd() * 3)
                for (let i = 0; i < n; i++) step(depth + 1)
                if (rnd() < 0.4) throw new Error('rolled back')
              })
          } catch {
            // refusals and rollbacks are part of the walk
          }
          for (const x of [a, b]) {
            expect(x.balance().amount).toBe(fileBalance.get(x.accounts.wallet)!.balance)
            expect(x.firstFreeUsed()).toBe(claimed.get(x.accountId) !== undefined)
          }
          clock.advance(1)
        }
        for (let i = 0; i < 150; i++) step(0)
        expect(a.verify()).toMatchObject({ ok: true })
        db.close()
      }),
      { numRuns: 12 }
    )
  })
})
