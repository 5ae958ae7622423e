#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into .native/electron-<abi>/better_sqlite3.node,
// leaving node_modules/better-sqlite3 built for Node (tests, relay, benchmarks) untouched.
// The app loads the Electron build through better-sqlite3's `nativeBinding` option
// (src/main/electron/native-binding.ts).
//   node scripts/build-electron-sqlite.mjs                  build (or rebuild)
//   node scripts/build-electron-sqlite.mjs --if-missing     skip when a checked build for this Electron exists
//   node scripts/build-electron-sqlite.mjs --headers <dir>  compile offline against Electron headers in <dir>
// Always against Electron's own headers: a configured `nodedir` (npm config, environment) is
// dropped, because it points at Node's headers and would yield a Node-ABI binary. What was
// built is loaded back and refused unless its NODE_MODULE_VERSION is Electron's.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { electronAbiProblem, electronBuildUpToDate, electronTarget, REBUILD_HINT } from './native/electron-abi.mjs'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const target = electronTarget(root)
const outDir = join(root, '.native', `electron-${target.abi}`)
const binary = join(outDir, 'better_sqlite3.node')
const stamp = join(outDir, 'build.json')
const argv = process.argv.slice(2)
const headersAt = argv.indexOf('--headers')
const headers = headersAt >= 0 ? resolve(argv[headersAt + 1] ?? '') : undefined

function fail(message) {
  console.error(`rebuild:electron: ${message}`)
  process.exit(1)
}

if (argv.includes('--if-missing') && electronBuildUpToDate(outDir, target)) {
  console.log(`better-sqlite3 for Electron ${target.version} (ABI ${target.abi}) present and checked: ${binary}`)
  process.exit(0)
}

// npm passes its config to scripts as npm_config_*; node-gyp would take nodedir from there.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_config_(nodedir|node_gyp|target|runtime|disturl|dist_url)$/i.test(k))
)
const work = join(root, '.native', 'build', 'better-sqlite3')
rmSync(work, { recursive: true, force: true })
mkdirSync(dirname(work), { recursive: true })
cpSync(join(root, 'node_modules/better-sqlite3'), work, {
  recursive: true,
  filter: (src) => !src.includes(join('better-sqlite3', 'build'))
})
const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, stdio: 'inherit', env })

let built = false
if (!headers) {
  try {
    // A prebuilt binary for Electron when the network allows it…
    run(process.execPath, [join(root, 'node_modules/prebuild-install/bin.js'), '--runtime', 'electron', '--target', target.version])
    built = true
  } catch {
    console.error('rebuild:electron: no prebuilt binary for Electron; compiling against its headers')
  }
}
if (!built) {
  if (headers && !existsSync(join(headers, 'include', 'node', 'node_version.h'))) {
    fail(`${headers} holds no Electron headers (include/node/node_version.h). ${REBUILD_HINT.replace('<version>', target.version)}`)
  }
  const gyp = nodeGyp()
  const where = headers ? [`--nodedir=${headers}`] : ['--dist-url=https://electronjs.org/headers']
  try {
    run(process.execPath, [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${target.version}`, ...where])
  } catch {
    fail(
      `could not compile better-sqlite3 against Electron ${target.version}'s headers ` +
        `(no network to https://electronjs.org/headers, or no compiler). Nothing was installed. ` +
        REBUILD_HINT.replace('<version>', target.version)
    )
  }
}
const produced = join(work, 'build/Release/better_sqlite3.node')
const problem = electronAbiProblem(produced, target)
if (problem) fail(`${problem}\nNothing was installed.`)
mkdirSync(outDir, { recursive: true })
cpSync(produced, binary)
writeFileSync(stamp, `${JSON.stringify({ electronVersion: target.version, abi: target.abi }, null, 2)}\n`)
console.log(`built better-sqlite3 for Electron ${target.version} (ABI ${target.abi}), checked: ${binary}`)

function nodeGyp() {
  // npm's own node-gyp, next to the npm that runs this script, else one in node_modules.
  const candidates = [
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  ].filter(Boolean)
  const found = candidates.find((p) => existsSync(p))
  if (!found) fail('node-gyp was not found (it ships with npm). Install npm, or `npm install -g node-gyp`.')
  return found
}
