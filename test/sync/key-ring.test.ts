import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signKeySet } from '../../src/node/feed'
import { RelayKeyRing } from '../../src/main/sync/key-ring'
import { FileSettingsStore } from '../../src/main/settings'
import { generateSigningKey, type SigningKey } from '../../src/relay/feed/keys'
import { tempDir } from '../support/db'

// The app's relay keys across runs and restarts (src/main/sync/key-ring.ts), over a real
// settings file: learned in memory, stored only by commit(), walked again from the pinned key.

const [A, B, C] = [generateSigningKey(), generateSigningKey(), generateSigningKey()] as [SigningKey, SigningKey, SigningKey]
const entry = (k: SigningKey) => ({ keyId: k.keyId, publicKey: k.publicKeyBase64 })
const announce = signKeySet([entry(A), entry(B)], [A])
const switched = signKeySet([entry(B)], [B])

describe('relay key ring', () => {
  it('a run that does not succeed stores nothing; commit stores the set, and a restart walks to it again', () => {
    const file = join(tempDir('key-ring-'), 'settings.json')
    const ring = new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file))
    ring.learn([announce, switched])
    expect(ring.current.ids).toEqual([B.keyId])
    // While the run is in flight the stored lease (A's) still verifies.
    expect(ring.forStored.ids.sort()).toEqual([A.keyId, B.keyId].sort())
    // The run failed: a restart knows A alone.
    expect(new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file)).current.ids).toEqual([A.keyId])
    ring.commit()
    expect(ring.forStored.ids).toEqual([B.keyId])
    expect(new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file)).current.ids).toEqual([B.keyId])
  })

  it('an edited settings file can lose keys but never add one', () => {
    const file = join(tempDir('key-ring-'), 'settings.json')
    const settings = new FileSettingsStore(file)
    settings.set({ relayKeyChain: JSON.stringify([signKeySet([entry(C)], [C])]) })
    expect(new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file)).current.ids).toEqual([A.keyId])
    settings.set({ relayKeyChain: '{not json' })
    expect(new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file)).current.ids).toEqual([A.keyId])
    settings.set({ relayKeyChain: JSON.stringify([announce]) })
    expect(new RelayKeyRing(A.publicKeyBase64, new FileSettingsStore(file)).current.ids.sort()).toEqual([A.keyId, B.keyId].sort())
  })

  it('learning the same chain again moves nothing and commit writes nothing new', () => {
    const file = join(tempDir('key-ring-'), 'settings.json')
    const settings = new FileSettingsStore(file)
    const ring = new RelayKeyRing(A.publicKeyBase64, settings)
    ring.learn([announce])
    ring.commit()
    const stored = settings.get().relayKeyChain
    ring.learn([announce])
    ring.commit()
    expect(settings.get().relayKeyChain).toBe(stored)
    expect(JSON.parse(stored!)).toHaveLength(1)
  })
})
