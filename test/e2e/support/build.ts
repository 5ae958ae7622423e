import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The e2e tests drive the BUILT renderer. Build it when out/renderer is missing or older than
// any renderer/shared source; under a lock, so parallel test files never build at once.

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

export function ensureRendererBuilt(): void {
  const script = [
    'if [ ! -f out/renderer/index.html ] || [ -n "$(find src/renderer src/shared -newer out/renderer/index.html -print -quit)" ]; then',
    '  npx electron-vite build >/dev/null',
    'fi'
  ].join('\n')
  execFileSync('flock', [join(tmpdir(), 'livestream-billing-renderer-build.lock'), 'sh', '-c', script], { cwd: ROOT, stdio: 'inherit' })
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) throw new Error('renderer build produced no out/renderer/index.html')
}

/** The operator console (src/console → out/console), built the same way when stale. */
export function ensureConsoleBuilt(): void {
  const script = [
    'if [ ! -f out/console/index.html ] || [ -n "$(find src/console src/shared console.vite.config.ts -newer out/console/index.html -print -quit)" ]; then',
    // Production React, as the relay serves it (vitest's NODE_ENV=test would build the development one).
    '  NODE_ENV=production npx vite build --config console.vite.config.ts --logLevel warn',
    'fi'
  ].join('\n')
  execFileSync('flock', [join(tmpdir(), 'livestream-billing-console-build.lock'), 'sh', '-c', script], { cwd: ROOT, stdio: 'inherit' })
  if (!existsSync(join(ROOT, 'out/console/index.html'))) throw new Error('console build produced no out/console/index.html')
}
