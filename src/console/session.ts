import { create } from 'zustand'
import type { OperatorRole, Permission } from '../shared/console/roles'
import { api, setCsrfToken, whenSignedOut } from './api'

// Who is signed in, and what their role may do (screens hide what it cannot use; the relay
// refuses it anyway). Restored from /v1/console/me on load: the cookie outlives a page reload.

export interface OperatorView {
  id: string
  email: string
  role: OperatorRole
  totp: boolean
}

interface SignedIn {
  operator: OperatorView
  permissions: readonly Permission[]
  csrfToken: string
}

interface SessionState {
  status: 'loading' | 'signedOut' | 'signedIn'
  operator?: OperatorView
  permissions: readonly Permission[]
  restore(): Promise<void>
  login(email: string, password: string, totp?: string): Promise<void>
  logout(everywhere?: boolean): Promise<void>
  can(permission: Permission): boolean
}

export const useSession = create<SessionState>((set, get) => {
  const signedIn = (s: SignedIn) => {
    setCsrfToken(s.csrfToken)
    set({ status: 'signedIn', operator: s.operator, permissions: s.permissions })
  }
  const signedOut = () => {
    setCsrfToken(undefined)
    set({ status: 'signedOut', permissions: [] })
  }
  whenSignedOut(signedOut)
  return {
    status: 'loading',
    permissions: [],
    async restore() {
      try {
        signedIn(await api<SignedIn>('GET', '/v1/console/me'))
      } catch {
        signedOut()
      }
    },
    async login(email, password, totp) {
      signedIn(await api<SignedIn>('POST', '/v1/console/login', { email, password, ...(totp ? { totp } : {}) }))
    },
    async logout(everywhere = false) {
      try {
        await api('POST', everywhere ? '/v1/console/logout-everywhere' : '/v1/console/logout', {})
      } finally {
        signedOut()
      }
    },
    can: (permission) => get().permissions.includes(permission)
  }
})
