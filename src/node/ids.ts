import { randomBytes, randomFillSync } from 'node:crypto'

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

// The relay's default ids: the same shape as randomIds (48-bit ms
// timestamp + 80 random bits, hex, sortable by creation time), but the random bits come from
// a pool refilled 4 KiB at a time: one CSPRNG call per ~400 ids instead of one per id, on
// the notification hot path (every feed record and debt carries one).

const POOL_BYTES = 4096
const ID_RANDOM_BYTES = 10

export function pooledRandomIds(clock: { now(): number }): IdSource {
  const pool = Buffer.allocUnsafe(POOL_BYTES)
  let offset = POOL_BYTES
  return {
    next() {
      if (offset + ID_RANDOM_BYTES > POOL_BYTES) {
        randomFillSync(pool)
        offset = 0
      }
      const random = pool.toString('hex', offset, offset + ID_RANDOM_BYTES)
      offset += ID_RANDOM_BYTES
      return clock.now().toString(16).padStart(12, '0') + random
    }
  }
}
