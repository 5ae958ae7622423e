import { describe, expect, it } from 'vitest'
import { newDevice, relayWallet, startWorld, topUp } from './support'

// A feed page is applied a slice at a time (feedApplySlice records per transaction, the event
// loop turning between), each slice with its cursor: a failure between slices loses nothing and
// applies nothing twice.

describe('applying a feed page in slices', () => {
  it('moves the cursor slice by slice; after a failure between slices, a restart applies the rest once', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a', undefined, { feedApplySlice: 2 })
    const b = await newDevice(w, 'b', a.accountId)
    for (let i = 1; i <= 5; i++) await topUp(w, b, 1000 * i) // 5 payments in a's feed, one page

    const cursorOf = (d: typeof a) => (d.billing.db.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string | null }).cursor
    const before = cursorOf(a)
    const seen: (string | null)[] = []
    let fail = true
    a.sync.on('payment.confirmed', () => {
      seen.push(cursorOf(a))
      // Stands for the process dying right after the first slice committed.
      if (fail) {
        fail = false
        throw new Error('stopped between slices')
      }
    })
    const failed = await a.sync.syncNow()
    expect(failed.lastError).toMatch(/stopped between slices/)
    // The first slice is applied with its cursor (the last record it applied); nothing after it.
    const partial = a.billing.wallet.balance().amount
    expect(partial).toBeGreaterThan(0)
    expect(partial).toBeLessThan(15_000)
    expect(seen).toHaveLength(1)
    const newest = a.billing.db.sqlite.prepare('SELECT max(CAST(cursor AS INTEGER)) AS c FROM sync_inbox').get() as { c: number }
    expect(cursorOf(a)).toBe(String(newest.c))
    expect(cursorOf(a)).not.toBe(before)

    const again = a.reopen({ feedApplySlice: 2 })
    const cursors = new Set<string | null>()
    again.sync.on('payment.confirmed', () => void cursors.add(cursorOf(again)))
    const state = await again.sync.syncNow()
    expect(state.lastError).toBeNull()
    expect(again.billing.wallet.balance().amount).toBe(15_000)
    expect(relayWallet(w, a.accountId).balance).toBe(15_000)
    // The payments left, in slices of two: the cursor moved between them.
    expect(cursors.size).toBeGreaterThanOrEqual(2)
    expect(state.warnings).toEqual([])
    expect(again.sync.checkIntegrity()).toEqual({ ok: true, problems: [] })
  })
})
