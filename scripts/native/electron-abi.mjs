// The checks behind `npm run rebuild:electron` and `npm start` (scripts/build-electron-sqlite.mjs,
// scripts/check-electron.mjs), as functions a test can run. A native addon built against the
// wrong headers loads in one runtime only, so the ABI of what was built is read back and a
// binary whose NODE_MODULE_VERSION is not Electron's is refused with what to run instead.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/** Electron's version and NODE_MODULE_VERSION, from the installed electron package. */
export function electronTarget(root) {
  const dir = join(root, 'node_modules/electron')
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
  // The package ships its ABI (abi_version); node-abi's table is the fallback for older ones.
  const file = join(dir, 'abi_version')
  const abi = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : Number(nodeAbi(root, version))
  return { version, abi }
}

function nodeAbi(root, version) {
  return createRequire(join(root, 'package.json'))('node-abi').getAbi(version, 'electron')
}

/**
 * The NODE_MODULE_VERSION a V8 addon was compiled for, read by loading it in a child Node:
 * Node either loads it (then it is Node's ABI) or names the version it was compiled for.
 * `{ abi: null, reason }` when neither tells (not an addon, a missing file).
 */
export function readBinaryAbi(file, nodePath = process.execPath) {
  if (!existsSync(file)) return { abi: null, reason: `${file} does not exist` }
  const probe = 'try{process.dlopen({exports:{}},process.argv[1]);console.log("ABI:"+process.versions.modules)}catch(e){console.log("ERR:"+e.message)}'
  const run = spawnSync(nodePath, ['-e', probe, file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })
  const out = `${run.stdout ?? ''}`
  const loaded = /ABI:(\d+)/.exec(out)
  if (loaded) return { abi: Number(loaded[1]) }
  // "…was compiled against a different Node.js version using NODE_MODULE_VERSION 150. This version of Node.js requires NODE_MODULE_VERSION 115."
  const compiled = /using\s+NODE_MODULE_VERSION\s+(\d+)/.exec(out)
  if (compiled) return { abi: Number(compiled[1]) }
  return { abi: null, reason: out.replace(/^ERR:/, '').trim() || `node exited with ${run.status}` }
}

export const REBUILD_HINT =
  'Run `npm run rebuild:electron` with access to Electron\'s headers (https://electronjs.org/headers), ' +
  'or offline `npm run rebuild:electron -- --headers <dir>` with a directory holding Electron <version>\'s headers ' +
  '(include/node/node_version.h).'

/** null when `file` is an addon for Electron `target`; else the refusal, saying what to run. */
export function electronAbiProblem(file, target, nodePath = process.execPath) {
  const { abi, reason } = readBinaryAbi(file, nodePath)
  const hint = REBUILD_HINT.replace('<version>', target.version)
  if (abi === null) return `refusing ${file}: cannot read its NODE_MODULE_VERSION (${reason}). ${hint}`
  if (abi !== target.abi) {
    const what = abi === Number(process.versions.modules) ? "Node's" : 'another runtime\'s'
    return (
      `refusing ${file}: it was built for NODE_MODULE_VERSION ${abi} (${what} ABI), ` +
      `Electron ${target.version} needs ${target.abi}; the app would fail at start with an ABI mismatch. ${hint}`
    )
  }
  return null
}

/** null when the Electron binary is installed; else what to do (npm start needs it). */
export function electronBinaryProblem(root) {
  const dir = join(root, 'node_modules/electron')
  const pathFile = join(dir, 'path.txt')
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const exe = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
  const installed = override ? existsSync(override) : exe !== null && existsSync(join(dir, 'dist', exe))
  if (installed) return null
  return [
    'The Electron binary is not installed (node_modules/electron/dist is missing), so `npm start` cannot open the app.',
    '  - With network access: `npx --no install-electron` downloads it (set ELECTRON_MIRROR for a mirror), then `npm run rebuild:electron`, then `npm start`.',
    '  - Without it: `npm run demo` runs the relay with sandbox payments and serves the same screens to a browser (`npm run build && npm run host` for the screens alone).'
  ].join('\n')
}

/**
 * Whether `dir` (.native/electron-<abi>) holds a checked build for this Electron: the stamp
 * names the same Electron version (a new version rebuilds, even at the same ABI) and the
 * binary passes the ABI check.
 */
export function electronBuildUpToDate(dir, target) {
  const stamp = join(dir, 'build.json')
  const binary = join(dir, 'better_sqlite3.node')
  if (!existsSync(binary) || !existsSync(stamp)) return false
  let built
  try {
    built = JSON.parse(readFileSync(stamp, 'utf8'))
  } catch {
    return false
  }
  return built.electronVersion === target.version && electronAbiProblem(binary, target) === null
}
