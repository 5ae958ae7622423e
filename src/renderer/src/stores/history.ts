import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { PAYMENT_KINDS } from '../../../shared/ipc/schemas/checkout'
import type { WALLET_ENTRY_TYPES } from '../../../shared/ipc/schemas/wallet'
import type { PaymentRecord, WalletEntry } from '../../../shared/ipc/types'

export type HistoryTab = 'wallet' | 'payments'
export type EntryType = (typeof WALLET_ENTRY_TYPES)[number]
export type PaymentKind = (typeof PAYMENT_KINDS)[number]

export interface HistoryFilter {
  entryType: EntryType | null
  paymentKind: PaymentKind | null
  /** Epoch ms bounds, inclusive start, exclusive end. */
  from: number | null
  to: number | null
}

export const PAGE_SIZE = 20

export interface HistoryState {
  tab: HistoryTab
  filter: HistoryFilter
  /** Cursors of the pages seen so far: cursors[i] opens page i (null = newest). */
  cursors: (string | null)[]
  page: number
  entries: WalletEntry[]
  payments: PaymentRecord[]
  nextCursor: string | null
  loading: boolean
  error: ErrorInfo | null
  setTab(tab: HistoryTab): Promise<void>
  setFilter(patch: Partial<HistoryFilter>): Promise<void>
  load(): Promise<void>
  next(): Promise<void>
  prev(): Promise<void>
}

export const createHistoryStore = (client: BillingClient, pageSize = PAGE_SIZE) =>
  createStore<HistoryState>()((set, get) => {
    async function fetchPage(page: number): Promise<void> {
      const { tab, filter, cursors } = get()
      const cursor = cursors[page] ?? null
      const range = { ...(filter.from !== null ? { from: filter.from } : {}), ...(filter.to !== null ? { to: filter.to } : {}) }
      set({ loading: true })
      if (tab === 'wallet') {
        const r = await client.invoke('wallet.history', {
          limit: pageSize,
          cursor,
          ...range,
          ...(filter.entryType ? { types: [filter.entryType] } : {})
        })
        if (!r.ok) return set({ loading: false, error: r.error })
        set({ entries: r.value.items, nextCursor: r.value.nextCursor })
      } else {
        const r = await client.invoke('payments.history', {
          limit: pageSize,
          cursor,
          ...range,
          ...(filter.paymentKind ? { kinds: [filter.paymentKind] } : {})
        })
        if (!r.ok) return set({ loading: false, error: r.error })
        set({ payments: r.value.items, nextCursor: r.value.nextCursor })
      }
      set({ page, loading: false, error: null })
    }
    const restart = (): Promise<void> => {
      set({ cursors: [null], page: 0, nextCursor: null })
      return fetchPage(0)
    }
    return {
      tab: 'wallet',
      filter: { entryType: null, paymentKind: null, from: null, to: null },
      cursors: [null],
      page: 0,
      entries: [],
      payments: [],
      nextCursor: null,
      loading: false,
      error: null,
      async setTab(tab) {
        set({ tab })
        await restart()
      },
      async setFilter(patch) {
        set({ filter: { ...get().filter, ...patch } })
        await restart()
      },
      load: restart,
      async next() {
        const { nextCursor, page, cursors } = get()
        if (!nextCursor) return
        set({ cursors: [...cursors.slice(0, page + 1), nextCursor] })
        await fetchPage(page + 1)
      },
      async prev() {
        const { page } = get()
        if (page > 0) await fetchPage(page - 1)
      }
    }
  })
