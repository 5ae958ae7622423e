import { create } from 'zustand'
import type { ConsoleOrder, ConsoleOrderPage } from '../../../shared/console/api'
import { api, ConsoleApiError, query, type ErrorInfo } from '../../api'
import { addDays, parseDay } from '../../lib/calendar'

// The order search, kept while the operator opens an order and comes back: the filters, the
// pages loaded so far and the cursor of the next one (GET /v1/console/orders, newest first).

export interface OrderFilters {
  q: string
  account: string
  provider: string
  state: string
  /** Calendar days (Beijing), "2026-12-07"; empty: open. */
  from: string
  to: string
}

const PAGE = 50

interface OrderSearch {
  filters: OrderFilters
  orders: ConsoleOrder[]
  next: string | null
  loading: boolean
  searched: boolean
  error?: ErrorInfo
  setFilters(patch: Partial<OrderFilters>): void
  search(): Promise<void>
  more(): Promise<void>
}

function path(f: OrderFilters, before?: string): string {
  const from = f.from ? parseDay(f.from) : undefined
  const to = f.to ? parseDay(f.to) : undefined
  return `/v1/console/orders${query({
    q: f.q.trim(),
    account: f.account.trim(),
    provider: f.provider,
    state: f.state,
    from,
    to: to === undefined ? undefined : addDays(to, 1),
    before,
    limit: PAGE
  })}`
}

const infoOf = (err: unknown): ErrorInfo => (err instanceof ConsoleApiError ? err.info : { code: 'INTERNAL', message: String(err) })

export const useOrderSearch = create<OrderSearch>((set, get) => ({
  filters: { q: '', account: '', provider: '', state: '', from: '', to: '' },
  orders: [],
  next: null,
  loading: false,
  searched: false,
  setFilters: (patch) => set({ filters: { ...get().filters, ...patch } }),
  async search() {
    set({ loading: true, error: undefined })
    try {
      const page = await api<ConsoleOrderPage>('GET', path(get().filters))
      set({ orders: page.orders, next: page.next, loading: false, searched: true })
    } catch (err) {
      set({ loading: false, error: infoOf(err), orders: [], next: null, searched: true })
    }
  },
  async more() {
    const { next, filters } = get()
    if (!next) return
    set({ loading: true, error: undefined })
    try {
      const page = await api<ConsoleOrderPage>('GET', path(filters, next))
      set({ orders: [...get().orders, ...page.orders], next: page.next, loading: false })
    } catch (err) {
      set({ loading: false, error: infoOf(err) })
    }
  }
}))
