// Settings and secrets of the sync layer: interfaces and plain-Node implementations.
export * from './types'
export { FileSettingsStore, FileSecretStore, MemorySecretStore, MemorySettingsStore } from './file-stores'
