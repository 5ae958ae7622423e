import { EventEmitter } from 'node:events'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../support/db'

// The Electron binary cannot run here, so the three sync adapters run against a stand-in of the
// few Electron APIs they call (as the provider adapters run against fake provider servers):
// net.isOnline, powerMonitor events, safeStorage, app.getPath.
const fake = vi.hoisted(() => ({
  online: true,
  userData: '',
  encryption: true,
  backend: 'gnome_libsecret',
  powerMonitor: undefined as unknown as import('node:events').EventEmitter
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  fake.powerMonitor = new Emitter()
  const seal = (s: string) => Buffer.from(`sealed:${Buffer.from(s).toString('base64')}`)
  const app = {
    getPath: () => fake.userData,
    getName: () => 'billing-test',
    getVersion: () => '0.0.0',
    on: () => app,
    once: () => app,
    whenReady: () => Promise.resolve()
  }
  const electron = {
    app,
    net: { isOnline: () => fake.online },
    powerMonitor: fake.powerMonitor,
    safeStorage: {
      isEncryptionAvailable: () => fake.encryption,
      getSelectedStorageBackend: () => fake.backend,
      encryptString: (s: string) => seal(s),
      decryptString: (b: Buffer) => {
        const text = b.toString()
        if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext')
        return Buffer.from(text.slice('sealed:'.length), 'base64').toString()
      }
    },
    ipcMain: { on: () => undefined, handle: () => undefined }
  }
  return { ...electron, default: electron }
})

const { electronSyncSignals } = await import('../../src/main/electron/sync-signals')
const { electronSecretStore } = await import('../../src/main/electron/secrets')

beforeEach(() => {
  fake.online = true
  fake.encryption = true
  fake.backend = 'gnome_libsecret'
  fake.userData = tempDir('electron-user-data-')
})
afterEach(() => vi.useRealTimers())

describe('electronSyncSignals', () => {
  it('samples net.isOnline and reports each change once; resume and unlock trigger a sync', () => {
    vi.useFakeTimers()
    const signals = electronSyncSignals(1_000)
    const seen: string[] = []
    const offOnline = signals.onOnline(() => seen.push('online'))
    signals.onOffline(() => seen.push('offline'))
    const offResume = signals.onResume(() => seen.push('resume'))

    expect(signals.isOnline()).toBe(true)
    vi.advanceTimersByTime(3_000)
    expect(seen).toEqual([]) // no change, no event
    fake.online = false
    vi.advanceTimersByTime(1_000)
    vi.advanceTimersByTime(2_000)
    expect(seen).toEqual(['offline'])
    fake.online = true
    vi.advanceTimersByTime(1_000)
    expect(seen).toEqual(['offline', 'online'])

    fake.powerMonitor.emit('resume')
    fake.powerMonitor.emit('unlock-screen')
    expect(seen).toEqual(['offline', 'online', 'resume', 'resume'])

    offResume()
    offOnline()
    fake.powerMonitor.emit('resume')
    fake.online = false
    vi.advanceTimersByTime(1_000)
    fake.online = true
    vi.advanceTimersByTime(1_000)
    expect(seen).toEqual(['offline', 'online', 'resume', 'resume', 'offline'])
    expect((fake.powerMonitor as EventEmitter).listenerCount('resume')).toBe(0)

    signals.dispose()
    fake.online = false
    vi.advanceTimersByTime(5_000)
    expect(seen).toHaveLength(5) // disposed: no more sampling
  })
})

describe('electronSecretStore', () => {
  it('seals the device credential with safeStorage: the file never holds it in the clear', () => {
    const store = electronSecretStore()
    expect(store.protection).toBe('os-keychain')
    store.set('relay.deviceToken', 'dev_tok_secret_123')
    expect(store.get('relay.deviceToken')).toBe('dev_tok_secret_123')
    const file = join(fake.userData, 'secrets.sealed.json')
    expect(existsSync(file)).toBe(true)
    expect(readFileSync(file, 'utf8')).not.toContain('dev_tok_secret_123')
    // A fresh store over the same folder (next start) reads it back.
    expect(electronSecretStore().get('relay.deviceToken')).toBe('dev_tok_secret_123')
    store.delete('relay.deviceToken')
    expect(electronSecretStore().get('relay.deviceToken')).toBeUndefined()
  })

  it('a credential sealed by another keychain reads as absent (the device enrols again), not as a crash', () => {
    const store = electronSecretStore()
    store.set('relay.deviceToken', 'tok')
    const file = join(fake.userData, 'secrets.sealed.json')
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
    raw['relay.deviceToken'] = Buffer.from('not sealed by this keychain').toString('base64')
    writeFileSync(file, JSON.stringify(raw))
    expect(electronSecretStore().get('relay.deviceToken')).toBeUndefined()
  })

  it('falls back to the documented plain 0600 file where safeStorage is unavailable or only basic_text', () => {
    for (const setup of [
      () => (fake.encryption = false),
      () => {
        fake.encryption = true
        fake.backend = 'basic_text'
      }
    ]) {
      fake.userData = tempDir('electron-user-data-')
      setup()
      const store = electronSecretStore()
      expect(store.protection).toBe('plain-file')
      store.set('relay.deviceToken', 'tok')
      expect(store.get('relay.deviceToken')).toBe('tok')
      const file = join(fake.userData, 'secrets.json')
      expect(statSync(file).mode & 0o777).toBe(0o600) // readable by this OS user only
      expect(existsSync(join(fake.userData, 'secrets.sealed.json'))).toBe(false)
    }
  })
})

describe('electronSettingsStore', () => {
  it('keeps relay URL, device id and cursor in electron-store under userData, across restarts', async () => {
    const { electronSettingsStore } = await import('../../src/main/electron/settings-store')
    const name = `sync-settings-${Date.now()}`
    const a = electronSettingsStore(name)
    a.set({ relayUrl: 'https://relay.example', deviceId: 'dev_1' })
    a.set({ deviceId: undefined })
    expect(electronSettingsStore(name).get()).toEqual({ relayUrl: 'https://relay.example' })
    const file = join(fake.userData, `${name}.json`)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ relayUrl: 'https://relay.example' })
  })
})
