import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startHost } from './host'

// `tsx src/host/start.ts [--port 5174] [--data .scratch/host]`: the screens in any browser,
// over the real core. Checkout and sync answer UNAVAILABLE until the sync service is plugged
// in through startHost({ extra }).

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const dataDir = resolve(arg('data') ?? '.scratch/host')
mkdirSync(dataDir, { recursive: true })
const host = await startHost({
  dbPath: join(dataDir, 'billing.sqlite'),
  settingsPath: join(dataDir, 'settings.json'),
  port: Number(arg('port') ?? 5174)
})
console.log(`billing host: ${host.url}`)
const stop = (): void => void host.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
