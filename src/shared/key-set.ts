import { z } from 'zod'

// The relay's key-set documents (GET /v1/keys): how an app that pins one set of relay keys
// learns the next set. A document lists the keys of a set and is signed by a key of the set
// before it; the relay serves the chain of them in order, oldest first. An app walks the chain
// from the set it trusts: a document signed by a key it trusts replaces its set, one it cannot
// verify is skipped (history before its set, or a forgery). Verification: src/node/feed/key-set.ts.

export const KEY_SET_VERSION = 'relay-key-set/v1'

/** keyId: the first 16 hex of sha256 of the 32 raw Ed25519 public key bytes; publicKey: their base64. */
export const KeySetKeySchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/)
})
export type KeySetKey = z.infer<typeof KeySetKeySchema>

export const KeySetDocumentSchema = z.object({
  keys: z.array(KeySetKeySchema).min(1).max(8),
  /** Signatures over keySetStatement(keys), each "v1a," + base64 by the key named. */
  signatures: z
    .array(z.object({ keyId: z.string().regex(/^[0-9a-f]{16}$/), signature: z.string().startsWith('v1a,') }))
    .min(1)
    .max(8)
})
export type KeySetDocument = z.infer<typeof KeySetDocumentSchema>

export const KeysResponseSchema = z.object({ chain: z.array(KeySetDocumentSchema).max(256) })
export type KeysResponse = z.infer<typeof KeysResponseSchema>

/** The signed text of a key set: UTF-8 JSON of [version, [[keyId, publicKey], …]] in the document's order. */
export function keySetStatement(keys: readonly KeySetKey[]): string {
  return JSON.stringify([KEY_SET_VERSION, keys.map((k) => [k.keyId, k.publicKey])])
}
