import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../config/config'
import { readChainFile, RelayKeyChain } from '../feed/key-chain'
import { generateSigningKey, parseSigningKey, type SigningKey } from '../feed/keys'

// `npm run relay -- keys status|generate`: the operator's side of a signing-key rotation
// (README, "Key rotation"). `generate` prints a fresh key to set as RELAY_SIGNING_KEY_NEXT;
// `status` reads the same environment as `npm run relay` and says which keys are configured
// and which key-set documents GET /v1/keys serves. Neither changes anything: the rotation itself
// is the environment (set NEXT, restart; later move NEXT to RELAY_SIGNING_KEY, restart).
// Exit 0; 2 usage or configuration.

const USAGE = 'usage: npm run relay -- keys status | keys generate'

export async function runKeys(args: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<0 | 2> {
  const [command, ...rest] = args
  if (rest.length > 0 || (command !== 'status' && command !== 'generate')) {
    out(USAGE)
    return 2
  }
  if (command === 'generate') {
    const key = generateSigningKey()
    out(`keys: a new Ed25519 signing key, keyId ${key.keyId} (public key ${key.publicKeyBase64})`)
    out('keys: keep it secret; announce it with')
    out(`RELAY_SIGNING_KEY_NEXT=${seedOf(key)}`)
    return 0
  }
  try {
    const config = loadConfig(env)
    const devKey = join(config.dataDir, 'signing-key.pem')
    const current = config.signingKey ? parseSigningKey(config.signingKey) : existsSync(devKey) ? parseSigningKey(readFileSync(devKey, 'utf8')) : undefined
    if (!current) {
      out(`keys: no signing key yet (set RELAY_SIGNING_KEY, or start the relay once for a development key in ${config.dataDir})`)
      return 0
    }
    const next = config.nextSigningKey ? parseSigningKey(config.nextSigningKey) : undefined
    out(`keys: current ${current.keyId} (public key ${current.publicKeyBase64})${config.signingKey ? '' : ', the development key in the data dir'}`)
    out(next ? `keys: next ${next.keyId} (public key ${next.publicKeyBase64}): announced while the relay runs with it` : 'keys: no next key (RELAY_SIGNING_KEY_NEXT unset)')
    const stored = readChainFile(config.keyChainFile)
    out(`keys: ${stored.length} announcement(s) kept in ${config.keyChainFile}`)
    // What a relay started now would serve (the file is not written: status changes nothing).
    out('keys: GET /v1/keys serves, oldest first:')
    for (const doc of new RelayKeyChain(current, next, stored).chain()) {
      out(`  {${doc.keys.map((k) => k.keyId).join(', ')}} signed by ${doc.signatures.map((s) => s.keyId).join(', ')}`)
    }
    return 0
  } catch (err) {
    if (err instanceof ConfigError) {
      out(`keys: invalid configuration: ${err.message}`)
      return 2
    }
    throw err
  }
}

function seedOf(key: SigningKey): string {
  const der = key.privateKey.export({ format: 'der', type: 'pkcs8' })
  return der.subarray(der.length - 32).toString('base64')
}
