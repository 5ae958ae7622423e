import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SecretStore, SettingsStore, SyncSettings } from './types'

// Plain-Node implementations over JSON files: what tests use, and the documented fallback
// where Electron's safeStorage is unavailable (see docs/sync.md). Writes go to a temp file
// then rename, so a crash leaves the old or the new file, never half of one.

function readJson<T>(path: string, empty: T): T {
  if (!existsSync(path)) return empty
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    // A corrupt settings file must not stop the app: start over (the relay re-enrols).
    return empty
  }
}

function writeJson(path: string, value: unknown, mode: number): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(value, null, 2), { mode })
  renameSync(tmp, path)
  chmodSync(path, mode)
}

export class MemorySettingsStore implements SettingsStore {
  private value: SyncSettings
  constructor(initial: SyncSettings = {}) {
    this.value = { ...initial }
  }
  get(): SyncSettings {
    return { ...this.value }
  }
  set(patch: Partial<SyncSettings>): SyncSettings {
    const next: Record<string, unknown> = { ...this.value }
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k]
      else next[k] = v
    }
    this.value = next as SyncSettings
    return this.get()
  }
}

/** The same store, written through to a JSON file (0644: nothing secret lives here). */
export class FileSettingsStore extends MemorySettingsStore {
  constructor(private readonly path: string) {
    super(readJson<SyncSettings>(path, {}))
  }
  override set(patch: Partial<SyncSettings>): SyncSettings {
    const next = super.set(patch)
    writeJson(this.path, next, 0o644)
    return next
  }
}

/**
 * Secrets in a file readable by the user only (0600). Not encrypted: anyone running as the
 * user can read it. Used in tests and as the fallback where the OS keychain is unavailable.
 */
export class FileSecretStore implements SecretStore {
  readonly protection = 'plain-file' as const
  private value: Record<string, string>
  constructor(private readonly path: string) {
    this.value = readJson<Record<string, string>>(path, {})
  }
  get(name: string): string | undefined {
    return this.value[name]
  }
  set(name: string, value: string): void {
    this.value = { ...this.value, [name]: value }
    writeJson(this.path, this.value, 0o600)
  }
  delete(name: string): void {
    const { [name]: _gone, ...rest } = this.value
    this.value = rest
    writeJson(this.path, this.value, 0o600)
  }
}

/** In memory only: nothing survives a restart. */
export class MemorySecretStore implements SecretStore {
  readonly protection = 'memory' as const
  private readonly value = new Map<string, string>()
  get(name: string): string | undefined {
    return this.value.get(name)
  }
  set(name: string, value: string): void {
    this.value.set(name, value)
  }
  delete(name: string): void {
    this.value.delete(name)
  }
}
