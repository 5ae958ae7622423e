import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { Output } from '../../../shared/ipc/contract'
import type { BillingDetails } from '../../../shared/billing/invoices'
import type { Locale } from '../../../shared/ipc/types'

// 发票: the invoices main keeps (feed records, listed offline), the one opened, its PDF and
// fapiao request; and the billing details (开票信息) stored on the relay.

export type InvoiceEntry = Output<'invoices.list'>['invoices'][number]

export interface InvoicesState {
  invoices: InvoiceEntry[]
  loaded: boolean
  error: ErrorInfo | null
  selected: string | null
  /** The last action on the selected invoice (PDF, fapiao) and its error, shown beside its button. */
  busy: 'pdf' | 'fapiao' | null
  actionError: { action: 'pdf' | 'fapiao'; error: ErrorInfo } | null
  pdfOpened: boolean
  details: BillingDetails | null
  detailsLoaded: boolean
  detailsError: ErrorInfo | null
  detailsSaved: boolean
  load(): Promise<void>
  select(number: string | null): void
  openPdf(number: string, lang: Locale): Promise<void>
  requestFapiao(number: string): Promise<void>
  loadDetails(): Promise<void>
  saveDetails(details: Record<string, unknown>): Promise<boolean>
}

export const createInvoicesStore = (client: BillingClient) =>
  createStore<InvoicesState>()((set, get) => {
    client.on('sync.state', (s) => {
      if (!s.syncing && get().loaded) void get().load()
    })
    return {
      invoices: [],
      loaded: false,
      error: null,
      selected: null,
      busy: null,
      actionError: null,
      pdfOpened: false,
      details: null,
      detailsLoaded: false,
      detailsError: null,
      detailsSaved: false,
      async load() {
        const r = await client.invoke('invoices.list', {})
        if (r.ok) set({ invoices: r.value.invoices, loaded: true, error: null })
        else set({ error: r.error, loaded: true })
      },
      select: (number) => set({ selected: number, actionError: null, pdfOpened: false }),
      async openPdf(number, lang) {
        set({ busy: 'pdf', actionError: null, pdfOpened: false })
        const r = await client.invoke('invoices.openPdf', { number, lang })
        set({ busy: null, ...(r.ok ? { pdfOpened: true } : { actionError: { action: 'pdf', error: r.error } }) })
        if (r.ok) await get().load()
      },
      async requestFapiao(number) {
        set({ busy: 'fapiao', actionError: null })
        const r = await client.invoke('invoices.requestFapiao', { number })
        set({ busy: null, ...(r.ok ? {} : { actionError: { action: 'fapiao', error: r.error } }) })
        if (r.ok) await get().load()
      },
      async loadDetails() {
        const r = await client.invoke('invoices.billingDetails', {})
        set(r.ok ? { details: r.value.details, detailsLoaded: true, detailsError: null } : { detailsError: r.error, detailsLoaded: true })
      },
      async saveDetails(details) {
        set({ detailsSaved: false, detailsError: null })
        const r = await client.invoke('invoices.setBillingDetails', { details })
        set(r.ok ? { details: r.value.details, detailsSaved: true } : { detailsError: r.error })
        return r.ok
      }
    }
  })
