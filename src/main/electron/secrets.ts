// Electron adapter: the device credential encrypted with safeStorage (Keychain on macOS,
// DPAPI on Windows, libsecret/kwallet on Linux), stored as base64 in a 0600 file under
// userData. Fallback (docs/sync.md): where safeStorage is unavailable, or on Linux where it
// would only use its hard-coded "basic_text" key, the plain-Node FileSecretStore (0600 file,
// not encrypted) is used and `protection` says 'plain-file', so the UI can tell the user.
import { join } from 'node:path'
import { app, safeStorage } from 'electron'
import { FileSecretStore, type SecretStore } from '../settings'

class SafeStorageSecretStore implements SecretStore {
  readonly protection = 'os-keychain' as const
  constructor(private readonly file: FileSecretStore) {}
  get(name: string): string | undefined {
    const sealed = this.file.get(name)
    if (sealed === undefined) return undefined
    try {
      return safeStorage.decryptString(Buffer.from(sealed, 'base64'))
    } catch {
      // Sealed by another OS user or keychain: as if absent (the device enrols again).
      return undefined
    }
  }
  set(name: string, value: string): void {
    this.file.set(name, safeStorage.encryptString(value).toString('base64'))
  }
  delete(name: string): void {
    this.file.delete(name)
  }
}

export function electronSecretStore(dir = app.getPath('userData')): SecretStore {
  const strong =
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text')
  return strong
    ? new SafeStorageSecretStore(new FileSecretStore(join(dir, 'secrets.sealed.json')))
    : new FileSecretStore(join(dir, 'secrets.json'))
}
