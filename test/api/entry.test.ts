import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// The project's own Electron app is a host like any other: its entry reaches the billing core
// only through the public API (src/main/index.ts), plus its own Electron adapters.

const ROOT = resolve(__dirname, '../..')
const importsOf = (file: string): string[] =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => relative(ROOT, resolve(ROOT, file, '..', m[1]!)))

describe('the Electron entry', () => {
  it('imports the core only through src/main/index.ts', () => {
    for (const file of ['src/main/electron/index.ts', 'src/main/electron/module-options.ts']) {
      const core = importsOf(file).filter((p) => !p.startsWith('src/main/electron/'))
      expect(core.filter((p) => p !== 'src/main'), file).toEqual([])
    }
  })
})
