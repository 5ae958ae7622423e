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
