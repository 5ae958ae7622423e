import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import { signKeySet } from '../../node/feed'
import { KeySetDocumentSchema, keySetStatement, type KeySetDocument } from '../../shared/key-set'
import { ConfigError } from '../config/config'
import type { SigningKey } from './keys'

// The chain of key-set documents GET /v1/keys serves (contract: src/shared/key-set.ts). With a
// next key configured, the relay announces the set {current, next} signed by the current key and
// keeps that document in the chain file, so it is still served after the switch, when the
// retiring key's private half may be gone: an app that was offline across the whole rotation
// walks from the old key to the announcement to the new set. Last in the chain comes the set in
// force, signed by the key in force: {current, next} while announcing, {current} otherwise (the
// retired key dropped). Ed25519 and the statement are deterministic, so every instance
// announcing the same pair writes the same bytes.

const FileSchema = z.array(KeySetDocumentSchema)

const asKey = (k: SigningKey) => ({ keyId: k.keyId, publicKey: k.publicKeyBase64 })

export class RelayKeyChain {
  private readonly endorsements: KeySetDocument[]
  /** True when the announcement of `next` was not among the stored documents. */
  readonly announcedNow: boolean

  constructor(
    readonly current: SigningKey,
    readonly next: SigningKey | undefined,
    stored: readonly KeySetDocument[] = []
  ) {
    this.endorsements = [...stored]
    const announcement = next ? signKeySet([asKey(current), asKey(next)], [current]) : null
    this.announcedNow = announcement !== null && !this.endorsements.some((d) => same(d, announcement))
    if (announcement && this.announcedNow) this.endorsements.push(announcement)
  }

  /** The chain kept in `file`, with the announcement of `next` added to the file when new. */
  static open(current: SigningKey, next: SigningKey | undefined, file: string): RelayKeyChain {
    const chain = new RelayKeyChain(current, next, readChainFile(file))
    if (chain.announcedNow) writeChainFile(file, chain.endorsements)
    return chain
  }

  /** Oldest first: the stored announcements, then the set in force. */
  chain(): KeySetDocument[] {
    const inForce = signKeySet(this.next ? [asKey(this.current), asKey(this.next)] : [asKey(this.current)], [this.current])
    const last = this.endorsements.at(-1)
    return last && same(last, inForce) ? [...this.endorsements] : [...this.endorsements, inForce]
  }
}

function same(a: KeySetDocument, b: KeySetDocument): boolean {
  return keySetStatement(a.keys) === keySetStatement(b.keys) && JSON.stringify(a.signatures) === JSON.stringify(b.signatures)
}

export function readChainFile(file: string): KeySetDocument[] {
  if (!existsSync(file)) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ConfigError('RELAY_KEY_CHAIN_FILE', `${file} is not JSON (${(err as Error).message})`)
  }
  const chain = FileSchema.safeParse(parsed)
  if (!chain.success) throw new ConfigError('RELAY_KEY_CHAIN_FILE', `${file} is not a list of key-set documents`)
  return chain.data
}

function writeChainFile(file: string, chain: KeySetDocument[]): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, `${JSON.stringify(chain, null, 2)}\n`, { mode: 0o644 })
  renameSync(tmp, file)
}
