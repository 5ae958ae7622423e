import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../support/db'
// @ts-expect-error plain .mjs build script, no types
import * as abi from '../../scripts/native/electron-abi.mjs'

// The checks of `npm run rebuild:electron` and `npm start`, on real binaries: the
// better-sqlite3 that `npm install` built for Node is exactly the wrong binary for Electron.

interface Target {
  version: string
  abi: number
}
const root = resolve(__dirname, '../..')
const nodeBinary = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')
const nodeAbi = Number(process.versions.modules)
const readBinaryAbi = abi.readBinaryAbi as (file: string) => { abi: number | null; reason?: string }
const electronAbiProblem = abi.electronAbiProblem as (file: string, target: Target) => string | null
const electronTarget = abi.electronTarget as (root: string) => Target
const electronBuildUpToDate = abi.electronBuildUpToDate as (dir: string, target: Target) => boolean

describe('the Electron ABI check', () => {
  it("reads Electron's NODE_MODULE_VERSION from the installed electron package", () => {
    const target = electronTarget(root)
    expect(target.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(target.abi).toBeGreaterThan(nodeAbi)
  })

  it("reads the ABI of the Node build of better-sqlite3 as Node's", () => {
    expect(readBinaryAbi(nodeBinary).abi).toBe(nodeAbi)
  })

  it('refuses a Node-ABI binary for Electron, saying what to run', () => {
    const target = electronTarget(root)
    const problem = electronAbiProblem(nodeBinary, target)
    expect(problem).toContain(`NODE_MODULE_VERSION ${nodeAbi} (Node's ABI)`)
    expect(problem).toContain(`Electron ${target.version} needs ${target.abi}`)
    expect(problem).toContain('npm run rebuild:electron')
  })

  it('accepts a binary whose ABI is the target (the same file, checked for Node)', () => {
    expect(electronAbiProblem(nodeBinary, { version: process.versions.node, abi: nodeAbi })).toBeNull()
  })

  it('refuses a file that is no addon, and a missing one', () => {
    const dir = tempDir()
    const bogus = join(dir, 'bogus.node')
    writeFileSync(bogus, 'not an ELF file')
    expect(electronAbiProblem(bogus, electronTarget(root))).toMatch(/cannot read its NODE_MODULE_VERSION/)
    expect(electronAbiProblem(join(dir, 'none.node'), electronTarget(root))).toMatch(/does not exist/)
  })

  it('counts a build as present only for the same Electron version and a passing check', () => {
    const dir = tempDir()
    const nodeTarget = { version: '1.0.0', abi: nodeAbi }
    expect(electronBuildUpToDate(dir, nodeTarget)).toBe(false)
    copyFileSync(nodeBinary, join(dir, 'better_sqlite3.node'))
    expect(electronBuildUpToDate(dir, nodeTarget)).toBe(false) // no stamp: built by hand or an older script
    writeFileSync(join(dir, 'build.json'), JSON.stringify({ electronVersion: '1.0.0', abi: nodeAbi }))
    expect(electronBuildUpToDate(dir, nodeTarget)).toBe(true)
    expect(electronBuildUpToDate(dir, { version: '1.0.1', abi: nodeAbi })).toBe(false) // Electron changed
    // The old script's failure: a Node-ABI binary filed under Electron's ABI is never "present".
    writeFileSync(join(dir, 'build.json'), JSON.stringify({ electronVersion: '45.5.0', abi: 150 }))
    expect(electronBuildUpToDate(dir, { version: '45.5.0', abi: 150 })).toBe(false)
  })
})

describe('npm start without the Electron binary', () => {
  it('stops at once with how to install it or try the screens in a browser', () => {
    const fake = tempDir()
    mkdirSync(join(fake, 'scripts/native'), { recursive: true })
    mkdirSync(join(fake, 'node_modules/electron'), { recursive: true })
    for (const f of ['scripts/check-electron.mjs', 'scripts/native/electron-abi.mjs']) copyFileSync(join(root, f), join(fake, f))
    const started = Date.now()
    const run = spawnSync(process.execPath, [join(fake, 'scripts/check-electron.mjs')], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(run.stderr).toContain('npx --no install-electron')
    expect(run.stderr).toContain('npm run demo')
  })
})
