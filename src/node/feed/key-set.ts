import { hash, sign, verify, type KeyObject } from 'node:crypto'
import { keySetStatement, type KeySetDocument, type KeySetKey } from '../../shared/key-set'
import { publicKeyFromBase64, v1aSignatures } from './envelope'

// A set of relay keys a reader trusts, and how it follows the relay's chain of key-set
// documents (contract: src/shared/key-set.ts). Records and pages name the key that signed them
// (keyId, unsigned: it only picks the key); a key outside the set verifies nothing.

/** What signature checks take: one key (the relay checking itself) or a set resolved by keyId. */
export type FeedKeys = KeyObject | KeySet

/** keyId of a public key given as base64 of its 32 raw bytes. */
export function keyIdOf(publicKeyBase64: string): string {
  return hash('sha256', Buffer.from(publicKeyBase64, 'base64'), 'hex').slice(0, 16)
}

export class KeySet {
  private readonly byId: Map<string, KeyObject>

  private constructor(readonly keys: readonly KeySetKey[]) {
    this.byId = new Map(keys.map((k) => [k.keyId, publicKeyFromBase64(k.publicKey)]))
  }

  /** From pinned public keys (base64 of the raw bytes); throws on one that is not an Ed25519 key. */
  static of(publicKeys: readonly string[]): KeySet {
    return new KeySet(publicKeys.map((publicKey) => ({ keyId: keyIdOf(publicKey), publicKey })))
  }

  /** Every key of both sets (a's first). */
  static union(a: KeySet, b: KeySet): KeySet {
    const keys = [...a.keys, ...b.keys.filter((k) => !a.byId.has(k.keyId))]
    return new KeySet(keys)
  }

  get(keyId: string): KeyObject | undefined {
    return this.byId.get(keyId)
  }

  get ids(): string[] {
    return [...this.byId.keys()]
  }

  /** A document one of whose signatures is by a key of this set, over its statement. */
  endorses(doc: KeySetDocument): boolean {
    const statement = Buffer.from(keySetStatement(doc.keys), 'utf8')
    return doc.signatures.some((s) => {
      const key = this.byId.get(s.keyId)
      return key !== undefined && v1aSignatures(s.signature).some((sig) => verify(null, statement, key, sig))
    })
  }
}

/** The key that signed something named `keyId`, or undefined when the set does not hold it. */
export function resolveKey(keys: FeedKeys, keyId: string): KeyObject | undefined {
  return keys instanceof KeySet ? keys.get(keyId) : keys
}

/**
 * Walks the chain from `trusted`, oldest first: each document endorsed by the set reached so far
 * replaces it; any other (older history, a forgery, a malformed key) is skipped. Returns the set
 * reached and the documents that moved it, to store and walk again from the pinned keys later.
 */
export function followKeyChain(trusted: KeySet, chain: readonly KeySetDocument[]): { keys: KeySet; accepted: KeySetDocument[] } {
  let keys = trusted
  const accepted: KeySetDocument[] = []
  for (const doc of chain) {
    // The same set again (the relay serves its current set every time) moves nothing: no verify.
    if (sameIds(keys.ids, doc.keys.map((k) => k.keyId))) continue
    if (!doc.keys.every((k) => keyIdOf(k.publicKey) === k.keyId) || !keys.endorses(doc)) continue
    let next: KeySet
    try {
      next = KeySet.of(doc.keys.map((k) => k.publicKey))
    } catch {
      continue
    }
    keys = next
    accepted.push(doc)
  }
  return { keys, accepted }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id))
}

/** A key-set document listing `keys`, signed by each of `signers` (the relay's side). */
export function signKeySet(keys: readonly KeySetKey[], signers: readonly { keyId: string; privateKey: KeyObject }[]): KeySetDocument {
  const statement = Buffer.from(keySetStatement(keys), 'utf8')
  return {
    keys: [...keys],
    signatures: signers.map((s) => ({ keyId: s.keyId, signature: `v1a,${sign(null, statement, s.privateKey).toString('base64')}` }))
  }
}
