import { z } from 'zod'
import { followKeyChain, KeySet } from '../../node/feed'
import { KeySetDocumentSchema, type KeySetDocument } from '../../shared/key-set'
import type { SettingsStore } from '../settings'

// The relay keys this device trusts (docs/sync.md, "Relay key rotation"): the key shipped with
// the app, moved on by the relay's key-set documents, each signed by a key already trusted.
// A sync run first learns the relay's chain (GET /v1/keys) and checks what it fetches with the
// set it reached; the set is stored only when the run succeeds, by then with the lease
// re-signed by the new key. So the stored lease is always signed by a stored key, and a run cut
// short leaves the stored set as it was (the next run learns it again).

const StoredChainSchema = z.array(KeySetDocumentSchema).max(256)

export class RelayKeyRing {
  private pinned: KeySet
  private stored: KeySetDocument[]
  private trusted: KeySet
  private learned: { keys: KeySet; chain: KeySetDocument[] } | null = null

  constructor(
    pinnedPublicKey: string,
    private readonly settings: SettingsStore
  ) {
    this.pinned = KeySet.of([pinnedPublicKey])
    const walked = followKeyChain(this.pinned, readChain(settings.get().relayKeyChain))
    this.stored = walked.accepted
    this.trusted = walked.keys
  }

  /** Keys for what the relay sends now: the newest set reached. */
  get current(): KeySet {
    return this.learned?.keys ?? this.trusted
  }

  /** Keys for what this device stored earlier (its lease): the stored set and the one learned since. */
  get forStored(): KeySet {
    return this.learned ? KeySet.union(this.trusted, this.learned.keys) : this.trusted
  }

  /** Follows the relay's chain from the set reached so far (in memory until commit()). */
  learn(chain: readonly KeySetDocument[]): void {
    const from = this.learned ?? { keys: this.trusted, chain: this.stored }
    const walked = followKeyChain(from.keys, chain)
    if (walked.accepted.length > 0) this.learned = { keys: walked.keys, chain: [...from.chain, ...walked.accepted] }
  }

  /** The run succeeded: the set learned becomes the stored one. */
  commit(): void {
    if (!this.learned) return
    this.settings.set({ relayKeyChain: JSON.stringify(this.learned.chain) })
    this.stored = this.learned.chain
    this.trusted = this.learned.keys
    this.learned = null
  }
}

/** The stored chain, or none when it is missing or unreadable (the pinned key alone then). */
function readChain(text: string | undefined): KeySetDocument[] {
  if (!text) return []
  try {
    const parsed = StoredChainSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : []
  } catch {
    return []
  }
}
