#!/usr/bin/env node
// Keeps runtimes apart (as Signal Desktop's file-suffix lint rule does, here by folder):
// - only src/main/electron/** and src/preload/** may import 'electron';
// - src/shared/** imports neither node built-ins nor electron nor third-party I/O;
// - src/renderer/** imports no node built-ins and no electron.
// Exit 1 with one line per violation. test/boundaries.test.ts runs the same check.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* files(p)
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield p
  }
}

export function findViolations(base = root) {
  const out = []
  for (const file of files(join(base, 'src'))) {
    const rel = relative(base, file).split(sep).join('/')
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4]
      const isElectron = spec === 'electron' || spec.startsWith('electron/')
      const isNode = nodeBuiltins.has(spec)
      const electronAllowed = rel.startsWith('src/main/electron/') || rel.startsWith('src/preload/')
      if (isElectron && !electronAllowed) out.push(`${rel}: imports '${spec}' outside the electron adapters`)
      if (rel.startsWith('src/shared/') && isNode) out.push(`${rel}: src/shared must not import '${spec}'`)
      if (rel.startsWith('src/renderer/') && isNode) out.push(`${rel}: the renderer must not import '${spec}'`)
    }
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const v = findViolations()
  for (const line of v) console.error(line)
  if (v.length) process.exit(1)
  console.log('boundaries ok')
}
