import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { LiveSessionDto } from '../../../shared/ipc/types'

// The live sessions main runs (it heartbeats their rooms). The header shows 直播中 while one
// runs; ending frees its room at once.
export interface LiveState {
  sessions: LiveSessionDto[]
  ending: boolean
  error: ErrorInfo | null
  load(): Promise<void>
  end(key: string): Promise<void>
}

export const createLiveStore = (client: BillingClient, onEnded?: () => void) =>
  createStore<LiveState>()((set, get) => {
    client.on('live.changed', ({ sessions }) => set({ sessions }))
    return {
      sessions: [],
      ending: false,
      error: null,
      async load() {
        const r = await client.invoke('live.state', {})
        set(r.ok ? { sessions: r.value.sessions, error: null } : { error: r.error })
      },
      async end(key) {
        if (get().ending) return
        set({ ending: true, error: null })
        const r = await client.invoke('live.end', { key })
        if (r.ok) {
          set({ ending: false, sessions: get().sessions.filter((s) => s.key !== key) })
          onEnded?.()
        } else set({ ending: false, error: r.error })
      }
    }
  })
