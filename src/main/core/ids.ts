import { randomBytes } from 'node:crypto'

// Ids are injected so tests are deterministic. Default ids sort by creation time
// (48-bit ms timestamp + 80 random bits, hex), so they page and index well.
export interface IdSource {
  next(): string
}

export function randomIds(clock: { now(): number } = { now: () => Date.now() }): IdSource {
  return {
    next() {
      return clock.now().toString(16).padStart(12, '0') + randomBytes(10).toString('hex')
    }
  }
}

/** "id-1", "id-2", …: for tests and reproducible workloads. */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0
  return { next: () => `${prefix}-${++n}` }
}
