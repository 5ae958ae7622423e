import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { followKeyChain, KeySet, keyIdOf, signKeySet } from '../../src/node/feed'
import type { KeySetDocument } from '../../src/shared/key-set'
import { generateSigningKey, type SigningKey } from '../../src/relay/feed/keys'

// Following the relay's chain of key-set documents (src/node/feed/key-set.ts).

const keys = Array.from({ length: 5 }, () => generateSigningKey())
const [A, B, C, D, E] = keys as [SigningKey, SigningKey, SigningKey, SigningKey, SigningKey]
const entry = (k: SigningKey) => ({ keyId: k.keyId, publicKey: k.publicKeyBase64 })
const doc = (set: SigningKey[], by: SigningKey[]): KeySetDocument => signKeySet(set.map(entry), by)
const from = (...ks: SigningKey[]) => KeySet.of(ks.map((k) => k.publicKeyBase64))
const ids = (s: KeySet) => s.ids.sort()

describe('key-set chain', () => {
  it('the keyId is the relay’s: first 16 hex of sha256 of the raw key', () => {
    expect(keyIdOf(A.publicKeyBase64)).toBe(A.keyId)
  })

  it('walks announcement then switch from the old key, and from the announced set', () => {
    const chain = [doc([A, B], [A]), doc([B], [B])]
    expect(ids(followKeyChain(from(A), chain).keys)).toEqual([B.keyId])
    expect(followKeyChain(from(A), chain).accepted).toEqual(chain)
    expect(ids(followKeyChain(from(A, B), chain).keys)).toEqual([B.keyId])
    // Already there: the history before its set is skipped, nothing accepted.
    expect(followKeyChain(from(B), chain).accepted).toEqual([])
  })

  it('never rolls back: an old announcement cannot bring a retired key back', () => {
    const announcement = doc([A, B], [A])
    expect(ids(followKeyChain(from(B), [announcement]).keys)).toEqual([B.keyId])
  })

  it('ignores a document signed by a key outside the set, a mislabelled key, and a signature under another keyId', () => {
    expect(ids(followKeyChain(from(A), [doc([C], [C])]).keys)).toEqual([A.keyId])
    const mislabelled = doc([A, C], [A])
    mislabelled.keys[1] = { keyId: D.keyId, publicKey: C.publicKeyBase64 }
    expect(ids(followKeyChain(from(A), [mislabelled]).keys)).toEqual([A.keyId])
    const wrongName = doc([C], [C])
    wrongName.signatures[0]!.keyId = A.keyId
    expect(ids(followKeyChain(from(A), [wrongName]).keys)).toEqual([A.keyId])
    // An edited key list no longer matches the signature.
    const edited = doc([A, B], [A])
    edited.keys[1] = entry(C)
    expect(ids(followKeyChain(from(A), [edited]).keys)).toEqual([A.keyId])
  })

  it('property: whatever documents an attacker adds (signed by keys outside the chain), the walk ends where the relay’s chain does', () => {
    const relayChain = [doc([A, B], [A]), doc([B], [B]), doc([B, C], [B]), doc([C], [C])]
    const forged = fc.constantFrom(doc([D], [D]), doc([A, D], [D]), doc([B, E], [E]), doc([D, E], [D, E]))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(4), forged), { maxLength: 6 }), (inserts) => {
        const chain = [...relayChain]
        for (const [at, d] of inserts) chain.splice(Math.min(at, chain.length), 0, d)
        expect(ids(followKeyChain(from(A), chain).keys)).toEqual([C.keyId])
      })
    )
  })

  it('union keeps both sets’ keys once', () => {
    expect(ids(KeySet.union(from(A, B), from(B, C)))).toEqual([A.keyId, B.keyId, C.keyId].sort())
  })
})
