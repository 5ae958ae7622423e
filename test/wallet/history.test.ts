import { describe, expect, it } from 'vitest'
import { Wallet, type HistoryEntry } from '../../src/main/wallet'
import { SCAN_BUDGET } from '../../src/node/sqlite/scan-window'
import { setup, T0 } from './fixture'

function populated() {
  const s = setup()
  const { wallet, clock } = s
  wallet.recharge({ key: 'r1', paymentId: 'p1', provider: 'alipay', amount: 10_000 }) // seq 1, t0
  for (let i = 0; i < 25; i++) {
    clock.advance(1000)
    wallet.consume({ key: `c${i}`, amount: 10 + i, feature: i % 2 ? 'ai' : 'export', reason: `use ${i}` })
  }
  clock.advance(1000)
  const h = wallet.hold({ key: 'h', amount: 100, feature: 'live', reason: '', ttlMs: 10_000 })
  clock.advance(1000)
  wallet.settle({ key: 's', holdId: h.holdId, amount: 40 }) // two legs
  return s
}

function all(pageFn: (cursor: string | null) => { items: HistoryEntry[]; nextCursor: string | null }) {
  const out: HistoryEntry[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = pageFn(cursor)
    out.push(...page.items)
    cursor = page.nextCursor
    pages++
  } while (cursor !== null)
  return { out, pages }
}

describe('history', () => {
  it('pages newest first with a stable cursor, unaffected by rows appended meanwhile', () => {
    const { wallet } = populated()
    const first = wallet.history({ limit: 10 })
    expect(first.items).toHaveLength(10)
    expect(first.items[0]).toMatchObject({ type: 'settle', leg: 1, walletDelta: 60 }) // remainder back to wallet
    expect(first.items[1]).toMatchObject({ type: 'settle', leg: 0, walletDelta: 0, feature: 'live' })
    const seqs = first.items.map((i) => i.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a))
    // Appending now does not shift the next page.
    wallet.consume({ key: 'late', amount: 1, feature: 'ai', reason: '' })
    const second = wallet.history({ limit: 10, cursor: first.nextCursor })
    expect(second.items[0]?.seq).toBe((first.items[9]?.seq ?? 0) - 1)
    const { out, pages } = all((cursor) => wallet.history({ limit: 7, cursor }))
    expect(out).toHaveLength(1 + 25 + 1 + 2 + 1)
    expect(pages).toBe(5)
    expect(new Set(out.map((e) => e.seq)).size).toBe(out.length)
    expect(out.at(-1)).toMatchObject({ type: 'recharge', key: 'r1', ref: 'p1', walletDelta: 10_000, amount: { amount: 10_000, currency: 'CNY' }, at: T0 })
  })

  it('filters by type and by time window', () => {
    const { wallet } = populated()
    const consumes = all((cursor) => wallet.history({ limit: 4, types: ['consume'], cursor })).out
    expect(consumes).toHaveLength(25)
    expect(consumes.every((e) => e.type === 'consume' && e.walletDelta < 0)).toBe(true)
    const holdsAndRecharges = wallet.history({ limit: 50, types: ['hold', 'recharge'] }).items
    expect(holdsAndRecharges.map((e) => e.type)).toEqual(['hold', 'recharge'])
    // Uses 5..9 happened at T0 + 5s .. T0 + 9s; `to` is exclusive.
    const window = wallet.history({ limit: 50, from: T0 + 5000, to: T0 + 10_000 }).items
    expect(window.map((e) => e.key)).toEqual(['c8', 'c7', 'c6', 'c5', 'c4'])
    const windowConsumes = wallet.history({ limit: 2, from: T0 + 5000, to: T0 + 10_000, types: ['consume'] })
    expect(windowConsumes.items.map((e) => e.key)).toEqual(['c8', 'c7'])
    expect(wallet.history({ limit: 50, from: T0 + 5000, to: T0 + 10_000, cursor: windowConsumes.nextCursor }).items.map((e) => e.key)).toEqual([
      'c6',
      'c5',
      'c4'
    ])
    expect(wallet.history({ limit: 50, from: T0 + 999_999 })).toEqual({ items: [], nextCursor: null })
  })

  it('shows only this wallet’s rows', () => {
    const s = populated()
    const other = new Wallet({ db: s.db, clock: s.clock, ids: s.ids, accountId: 'acct-2' })
    expect(other.history({ limit: 10 })).toEqual({ items: [], nextCursor: null })
  })
})

describe('entry time', () => {
  it('never goes backwards along the ledger, so a time window stays a contiguous range', () => {
    const { wallet, clock } = setup()
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
    clock.advance(10_000)
    wallet.consume({ key: 'a', amount: 1, feature: 'ai', reason: '' })
    clock.set(T0 + 5_000) // the user moved the clock back
    const b = wallet.consume({ key: 'b', amount: 1, feature: 'ai', reason: '' })
    expect(b.at).toBe(T0 + 10_000)
    clock.set(T0 + 20_000)
    wallet.consume({ key: 'c', amount: 1, feature: 'ai', reason: '' })
    expect(wallet.history({ limit: 10, from: T0 + 10_000, to: T0 + 20_000 }).items.map((e) => e.key)).toEqual(['b', 'a'])
    expect(wallet.history({ limit: 10, from: T0 + 10_001 }).items.map((e) => e.key)).toEqual(['c'])
    expect(wallet.history({ limit: 10, to: T0 + 1 }).items.map((e) => e.key)).toEqual(['r'])
    expect(wallet.verify().ok).toBe(true)
  })
})

describe('history walks a bounded window per call', () => {
  it('a sparse filter over more than SCAN_BUDGET entries comes back in short pages that together hold every match once', () => {
    const { wallet, db } = setup()
    const n = 2 * SCAN_BUDGET + 500
    const add = db.sqlite.transaction(() => {
      for (let i = 1; i <= n; i++) {
        if (i === 3 || i === n - 2) wallet.consume({ key: `c${i}`, amount: 1, feature: 'ai', reason: '' })
        else wallet.recharge({ key: `r${i}`, paymentId: `p${i}`, provider: 'alipay', amount: 10 })
      }
    })
    add()
    const head = (db.sqlite.prepare('SELECT MAX(seq) AS s FROM wallet_entries').get() as { s: number }).s
    const uppers: number[] = []
    const { out, pages } = all((cursor) => {
      uppers.push(cursor === null ? head : Number(cursor) - 1)
      return wallet.history({ limit: 10, types: ['consume'], cursor })
    })
    expect(out.map((e) => e.key)).toEqual([`c${n - 2}`, 'c3'])
    // Each call looked at SCAN_BUDGET entries at most: its upper bound minus the next call's.
    expect(pages).toBe(Math.ceil(head / SCAN_BUDGET))
    for (let i = 1; i < uppers.length; i++) expect(uppers[i - 1]! - uppers[i]!).toBe(SCAN_BUDGET)

    // Unfiltered, every entry in the window matches: full pages as before.
    const page = wallet.history({ limit: 500 })
    expect(page.items).toHaveLength(500)
    expect(page.nextCursor).toBe(String(page.items.at(-1)!.seq))
    // A type with its own index is not bounded by the window: the one consume-free type reads far back.
    const oldest = wallet.history({ limit: 1, types: ['recharge'], cursor: '3' })
    expect(oldest.items.map((e) => e.seq)).toEqual([2])
  })
})
