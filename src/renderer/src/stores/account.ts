import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { AccountView, SignInMethod } from '../../../shared/ipc/types'

// Sign-in and the account's devices. Signed out: a two-step form (address or number → code),
// each step's error kept beside its field. Signed in: the account, its devices, sign out.

export type SignInStep = 'target' | 'code'

export interface AccountState {
  view: AccountView | null
  loadError: ErrorInfo | null
  method: SignInMethod
  step: SignInStep
  /** The address or number the code went to, and when it stops working. */
  sentTo: string | null
  expiresAt: number | null
  busy: 'sending' | 'verifying' | 'signingOut' | { removing: string } | null
  targetError: ErrorInfo | null
  codeError: ErrorInfo | null
  deviceError: { deviceId: string | null; error: ErrorInfo } | null
  load(): Promise<void>
  setMethod(method: SignInMethod): void
  requestCode(target: string): Promise<void>
  verify(code: string): Promise<void>
  /** Back to the first step (another address, or another method). */
  back(): void
  removeDevice(deviceId: string): Promise<void>
  signOut(): Promise<void>
}

export const createAccountStore = (client: BillingClient, changed: () => void) =>
  createStore<AccountState>()((set, get) => {
    const signedOutForm = { step: 'target' as const, sentTo: null, expiresAt: null, targetError: null, codeError: null }
    const showView = (view: AccountView): void => {
      // The first method the relay offers, unless the chosen one is offered.
      const methods = view.signedIn ? null : view.methods
      const method = methods && methods.length > 0 && !methods.includes(get().method) ? methods[0]! : get().method
      set({ view, loadError: null, method })
    }
    // Signed out before the relay heard it: the sync run that reaches the relay finishes it, so
    // each sync state after one asks again until the view no longer says so.
    client.on('sync.state', () => {
      const v = get().view
      if (v && !v.signedIn && v.leaving) void get().load()
    })
    return {
      view: null,
      loadError: null,
      method: 'email',
      busy: null,
      deviceError: null,
      ...signedOutForm,
      async load() {
        const r = await client.invoke('account.get', {})
        if (r.ok) showView(r.value)
        else set({ loadError: r.error })
      },
      setMethod: (method) => set({ method, ...signedOutForm }),
      async requestCode(target) {
        set({ busy: 'sending', targetError: null, codeError: null })
        const r = await client.invoke('account.requestCode', { method: get().method, target })
        if (r.ok) set({ busy: null, step: 'code', sentTo: target.trim(), expiresAt: r.value.expiresAt })
        else set({ busy: null, targetError: r.error })
      },
      async verify(code) {
        const { sentTo, method } = get()
        if (!sentTo) return
        set({ busy: 'verifying', codeError: null })
        const r = await client.invoke('account.verifyCode', { method, target: sentTo, code })
        if (r.ok) {
          set({ busy: null, ...signedOutForm })
          showView(r.value)
          changed()
        } else set({ busy: null, codeError: r.error })
      },
      back: () => set({ ...signedOutForm }),
      async removeDevice(deviceId) {
        set({ busy: { removing: deviceId }, deviceError: null })
        const r = await client.invoke('account.removeDevice', { deviceId })
        if (r.ok) {
          set({ busy: null })
          showView(r.value)
        } else set({ busy: null, deviceError: { deviceId, error: r.error } })
      },
      async signOut() {
        set({ busy: 'signingOut', deviceError: null })
        const r = await client.invoke('account.signOut', {})
        if (r.ok) {
          set({ busy: null, ...signedOutForm })
          showView(r.value)
          changed()
        } else set({ busy: null, deviceError: { deviceId: null, error: r.error } })
      }
    }
  })
