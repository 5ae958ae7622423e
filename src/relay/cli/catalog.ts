import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { systemClock, type Clock } from '../../node/clock'
import { InvalidCatalog } from '../../shared/catalog'
import { publishCatalog } from '../catalog/catalog'
import { openConfiguredStore } from './store'

// `npm run relay -- catalog publish <file.json>`: validates a catalog document and stores it
// as a new version in the configured relay database (the same environment as `npm run relay`;
// a running relay picks it up at its effectiveFrom, nothing restarts). Exit 0 published; 1
// refused, with each field and reason, nothing written; 2 usage or configuration error.

const USAGE = 'usage: npm run relay -- catalog publish <file.json>'

export async function runCatalog(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  clock: Clock = systemClock
): Promise<0 | 1 | 2> {
  const [command, file, ...rest] = args
  if (command !== 'publish' || !file || rest.length > 0) {
    out(USAGE)
    return 2
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    out(`catalog: cannot read ${file}: ${(err as Error).message}`)
    return 2
  }
  let input: unknown
  try {
    input = JSON.parse(text)
  } catch (err) {
    out(`catalog: refused ${file}: not JSON (${(err as Error).message}); nothing was published`)
    return 1
  }
  const opened = await openConfiguredStore(env, out, 'catalog', 'set RELAY_DB_PATH or RELAY_DATA_DIR, or start the relay once')
  if (opened === 2) return 2
  const { store } = opened
  try {
    const v = await publishCatalog(store, clock.now(), input)
    out(`catalog: published version ${v.version}, in force from ${new Date(v.effectiveFrom).toISOString()} (${v.document.plans.length} plans)`)
    return 0
  } catch (err) {
    if (!(err instanceof InvalidCatalog)) throw err
    out(`catalog: refused ${file}; nothing was published:`)
    for (const p of err.problems) out(`  ${p.field}: ${p.reason}`)
    return 1
  } finally {
    await store.close()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  void runCatalog(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then((code) => process.exit(code))
}
