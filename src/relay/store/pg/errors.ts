import { BillingError } from '../../../shared/errors'

// How a PostgreSQL failure is told apart. A unit that lost a race with another unit (here or in
// another instance) is run again; a database that cannot be reached, or a statement past its
// timeout, is UNAVAILABLE (HTTP 503: providers redeliver, devices retry).

/** The database cannot serve the unit now (down, restarting, too slow); nothing was applied. */
export class StoreUnavailable extends BillingError {
  constructor(cause: string) {
    super('UNAVAILABLE', `the relay's database is unavailable: ${cause}`, { cause })
    this.name = 'StoreUnavailable'
  }
}

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Serialization failure or deadlock: the transaction was rolled back and may simply run again. */
export const isConflict = (err: unknown): boolean => {
  const code = codeOf(err)
  return code === '40001' || code === '40P01'
}

/** A unique key another unit committed meanwhile (its next run sees the row). */
export const isUniqueViolation = (err: unknown): boolean => codeOf(err) === '23505'

/** The connection is gone or the server refuses work: the pool drops the client and reconnects. */
export function isUnavailable(err: unknown): boolean {
  const code = codeOf(err)
  if (code && /^(08|57P0[1-4]|53)/.test(code)) return true
  // 57014: statement_timeout (or a cancel); 25006: a read-only standby.
  if (code === '57014' || code === '25006') return true
  if (code && /^E[A-Z]+$/.test(code)) return true // ECONNREFUSED, ECONNRESET, ETIMEDOUT …
  const message = err instanceof Error ? err.message : ''
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i.test(message)
}

export function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200)
}
