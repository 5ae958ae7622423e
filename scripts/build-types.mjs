#!/usr/bin/env node
// `npm run build:types`: the public API's declarations (src/main/index.ts → out/types/main/index.d.ts).
// tsc emits a .d.ts for every file the entry reaches; a few internal statement helpers return
// types it cannot name (better-sqlite3's inner namespace). Those files are not part of the
// public surface, so their declaration errors count only when the entry's declarations
// import them; any other error fails the build.
import { dirname, join, relative, resolve } from 'node:path'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const configPath = join(root, 'tsconfig.api.json')
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })
if (!config) throw new Error('cannot read tsconfig.api.json')
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
const result = program.emit(undefined, undefined, undefined, true)
const outDir = config.options.outDir
const srcDir = config.options.rootDir

/** The .d.ts files reachable from the entry's declaration, by their relative imports. */
function reachable(entry) {
  const seen = new Set()
  const stack = [entry]
  while (stack.length) {
    const file = stack.pop()
    if (seen.has(file) || !existsSync(file)) continue
    seen.add(file)
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'|import\("(\.[^"]+)"\)/g)) {
      const spec = m[1] ?? m[2]
      const base = resolve(dirname(file), spec)
      for (const c of [`${base}.d.ts`, join(base, 'index.d.ts')]) if (existsSync(c)) stack.push(c)
    }
  }
  return seen
}
const publicFiles = reachable(join(outDir, 'main', 'index.d.ts'))
const declOf = (source) => join(outDir, relative(srcDir, source)).replace(/\.tsx?$/, '.d.ts')
const fatal = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
  (d) => !(d.code === 4058 && d.file && !publicFiles.has(declOf(d.file.fileName)))
)
if (fatal.length > 0) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }
  console.error(ts.formatDiagnostics(fatal, host))
  process.exit(1)
}
console.log(`public API declarations: ${relative(root, join(outDir, 'main', 'index.d.ts'))} (${publicFiles.size} files)`)
