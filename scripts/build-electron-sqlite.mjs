#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .native/electron-<abi>/better_sqlite3.node,
// leaving node_modules/better-sqlite3 built for Node (tests, relay, benchmarks) untouched.
// The app loads the Electron build through better-sqlite3's `nativeBinding` option
// (src/main/electron/native-binding.ts). Needs network access to Electron's headers
// (or a prebuilt binary) once per Electron version.
//   node scripts/build-electron-sqlite.mjs            build (or rebuild)
//   node scripts/build-electron-sqlite.mjs --if-missing   skip when the binary exists
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const require = createRequire(import.meta.url)
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version
const abi = require('node-abi').getAbi(electronVersion, 'electron')
const target = join(root, '.native', `electron-${abi}`, 'better_sqlite3.node')

if (process.argv.includes('--if-missing') && existsSync(target)) {
  console.log(`better-sqlite3 for Electron ${electronVersion} (ABI ${abi}) present: ${target}`)
  process.exit(0)
}

const work = join(root, '.native', 'build', 'better-sqlite3')
rmSync(work, { recursive: true, force: true })
mkdirSync(join(work, '..'), { recursive: true })
cpSync(join(root, 'node_modules/better-sqlite3'), work, {
  recursive: true,
  filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`)
})
const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: electronVersion }
const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, stdio: 'inherit', env })
try {
  // A prebuilt binary for Electron when the network allows it…
  run(join(root, 'node_modules/.bin/prebuild-install'), ['--runtime', 'electron', '--target', electronVersion])
} catch {
  // …else compile against Electron's headers.
  run('npx', [
    '--yes',
    'node-gyp',
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    '--dist-url=https://electronjs.org/headers'
  ])
}
mkdirSync(join(target, '..'), { recursive: true })
cpSync(join(work, 'build/Release/better_sqlite3.node'), target)
console.log(`built better-sqlite3 for Electron ${electronVersion} (ABI ${abi}): ${target}`)
