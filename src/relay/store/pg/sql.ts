import type { PoolClient } from 'pg'
import { pgStats } from './stats'

// The one way the PostgreSQL repositories talk to the database: a unit's connection with four
// shapes of query. Each distinct text is a named prepared statement, parsed and planned once per
// connection. Instants cross as Date (timestamptz) and come back as ms numbers.
// Round trips are what a unit costs (each ~0.1–0.2 ms on loopback, and a notification batch holds
// the hot rows' locks — feed heads, the invoice counter, system ledger accounts — for all of its
// round trips), so a write whose answer nobody reads (`later`) is not sent on its own: it waits in
// the unit's queue and goes in ONE simple-protocol message together with the unit's next
// statement, its savepoint's end or its COMMIT. Order is kept (the queue precedes what flushes it:
// every read sees the unit's earlier writes), and a queued write that fails fails that message, so
// the unit (or its savepoint) fails as it would have at the write itself: rolled back and, for a
// conflict or a unique key, run again (unit-of-work.ts).
// In that message a statement goes as `EXECUTE name(literals)` of a statement prepared with SQL
// PREPARE on that connection (sent once, in the message of its first use), so the database parses
// and plans it once per connection, as it does the prepared statements sent on their own; the
// values cross as quoted literals, typed by the parameters as untyped parameters are.

export interface Sql {
  all<T>(text: string, values?: readonly unknown[]): Promise<T[]>
  get<T>(text: string, values?: readonly unknown[]): Promise<T | undefined>
  /** Runs a write; resolves to the number of rows it touched. */
  run(text: string, values?: readonly unknown[]): Promise<number>
  /** Queues a write whose outcome the caller does not read; it is sent with the unit's next statement (above). */
  later(text: string, values?: readonly unknown[]): Promise<void>
  /** Several reads in ONE round trip (after the queue); the rows of each, in order. */
  allMany(reads: readonly { text: string; values: readonly unknown[] }[]): Promise<unknown[][]>
  /**
   * What this unit has read or locked, kept for the rest of the unit by the repositories (a feed
   * block, a counter, a ledger account, the catalog in force). Under REPEATABLE READ a second read
   * in the unit answers the snapshot plus the unit's own writes, which a repository that updates
   * its entry on its own writes knows already: one round trip fewer. Cleared when a savepoint
   * rolls back, since that undoes the unit's writes and releases its locks taken since.
   */
  readonly memo: Map<string, unknown>
}

/** A unit's Sql, with the unit's own statements (BEGIN, SAVEPOINT, COMMIT) sent along with the queue. */
export interface UnitSql extends Sql {
  /** Queues a statement of the unit itself (its BEGIN): it goes with the next round trip. */
  queue(text: string): void
  /** Sends the queue and then `tail` (COMMIT, RELEASE …) in one round trip. */
  flush(tail: string): Promise<void>
  /** Forgets the queue (the unit or savepoint failed and is rolled back). */
  discard(): void
  /** Which statements the connection has PREPAREd is no longer known: release it as broken (above). */
  readonly tainted: boolean
}

/**
 * Each statement text's names (`relay_N` sent on its own as a protocol prepared statement,
 * `relay_N_q` PREPAREd for the queue) and its parameters ($1 … $n: its EXECUTE's argument count).
 */
interface Statement {
  name: string
  queued: string
  arity: number
}
const statements = new Map<string, Statement>()
const statementOf = (text: string): Statement => {
  let st = statements.get(text)
  if (!st) {
    let arity = 0
    for (const m of text.matchAll(/\$(\d+)/g)) arity = Math.max(arity, Number(m[1]))
    const name = `relay_${statements.size}`
    statements.set(text, (st = { name, queued: `${name}_q`, arity }))
  }
  return st
}

type Result<T> = { rows: T[]; rowCount: number | null }

/**
 * What is PREPAREd on one connection: the statements' names. A message sends its PREPAREs first,
 * so a unique key or a serialization failure (SQLSTATE class 23, 40001: the failures of its data
 * statements that units run again on) comes after they all ran; PREPARE is not undone by the
 * rollback. Any other failure of a message with PREPAREs in it (a deadlock or a lock timeout while
 * a PREPARE waits for its table, a bad value…) leaves unknown which ran, and so does a prepared
 * statement found missing or present against this record (26000, 42P05): the connection is then
 * `tainted` and the unit releases it as broken; the pool opens a fresh one.
 */
const preparedOn = new WeakMap<PoolClient, Set<string>>()
const PREPARES_RAN = /^(23|40001$)/
const PREPARED_UNKNOWN = new Set(['26000', '42P05'])

export function sqlOn(client: PoolClient, counted?: { statements: number; roundTrips: number }): UnitSql {
  /** The unit's own statements (its BEGIN): first in the next message, before the PREPAREs. */
  let head: string[] = []
  let queued: string[] = []
  /** The PREPAREs the queue needs, sent ahead of it, by statement name. */
  let preparing = new Map<string, string>()
  let prepared = preparedOn.get(client)
  if (!prepared) preparedOn.set(client, (prepared = new Set()))
  const on = prepared
  let tainted = false
  const count = (text: string) => {
    if (!counted) return
    counted.statements++
    pgStats?.statement(text)
  }
  /** The statement as the queue carries it: EXECUTE of its prepared form, PREPAREd first if new here. */
  const executed = (text: string, values: readonly unknown[]): string => {
    const { queued: name, arity } = statementOf(text)
    let args = ''
    for (let i = 0; i < arity; i++) args += (i ? ', ' : '') + inline(values[i])
    if (!on.has(name) && !preparing.has(name)) preparing.set(name, `PREPARE ${name} AS ${text}`)
    return arity ? `EXECUTE ${name}(${args})` : `EXECUTE ${name}`
  }
  // The queue and then `tails`, as one message; the answers are the tails' (one statement each).
  const sendMany = async (tails: readonly string[]): Promise<Result<unknown>[]> => {
    const text = [...head, ...preparing.values(), ...queued, ...tails].join(';\n')
    const sent = [...preparing.keys()]
    head = []
    queued = []
    preparing = new Map()
    if (counted) counted.roundTrips++
    let r: Result<unknown> | Result<unknown>[]
    try {
      r = (await client.query(text)) as unknown as Result<unknown> | Result<unknown>[]
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? '')
      if (PREPARED_UNKNOWN.has(code) || (sent.length > 0 && !PREPARES_RAN.test(code))) {
        tainted = true
        preparedOn.delete(client)
      } else for (const name of sent) on.add(name)
      throw err
    }
    for (const name of sent) on.add(name)
    return (Array.isArray(r) ? r : [r]).slice(-tails.length)
  }
  const send = async <T>(tail: string): Promise<Result<T>> => (await sendMany([tail]))[0] as Result<T>
  const query = async <T>(text: string, values: readonly unknown[] = []): Promise<Result<T>> => {
    count(text)
    if (head.length > 0 || queued.length > 0) {
      if (values.every(inlinable)) return send<T>(executed(text, values))
      await send('SELECT 1')
    }
    if (counted) counted.roundTrips++
    return (await client.query({ name: statementOf(text).name, text, values: values as unknown[] })) as unknown as Result<T>
  }
  return {
    all: async <T>(text: string, values?: readonly unknown[]) => (await query<T>(text, values)).rows,
    get: async <T>(text: string, values?: readonly unknown[]) => (await query<T>(text, values)).rows[0],
    run: async (text, values) => (await query(text, values)).rowCount ?? 0,
    later: async (text, values = []) => {
      // A value with a conversion of its own (an array of numbers, say) runs as a prepared statement, now.
      if (!values.every(inlinable)) return void (await query(text, values))
      count(text)
      queued.push(executed(text, values))
    },
    async allMany(reads) {
      if (!reads.every((r) => r.values.every(inlinable))) {
        const out: unknown[][] = []
        for (const r of reads) out.push((await query(r.text, r.values)).rows)
        return out
      }
      for (const r of reads) count(r.text)
      return (await sendMany(reads.map((r) => executed(r.text, r.values)))).map((r) => r.rows)
    },
    memo: new Map(),
    get tainted() {
      return tainted
    },
    queue: (text) => void head.push(text),
    flush: async (tail) => void (await send(tail)),
    discard: () => {
      // Never sent: their PREPAREs did not run.
      head = []
      queued = []
      preparing = new Map()
    }
  }
}

const inlinable = (v: unknown): boolean =>
  v === null ||
  v === undefined ||
  v instanceof Date ||
  Buffer.isBuffer(v) ||
  ['string', 'number', 'bigint', 'boolean'].includes(typeof v) ||
  (Array.isArray(v) && v.every((x) => typeof x === 'string'))

/**
 * A value as a quoted literal, the text a parameter would have carried (node-postgres' own
 * conversions). Strings are quoted as node-postgres' escapeLiteral quotes them (quotes doubled;
 * with a backslash, doubled too and the E'' form), by whole-string replaces instead of its loop
 * over characters, which a feed record's payload made the costliest step of a queued write.
 */
function inline(v: unknown): string {
  if (v === null || v === undefined) return 'NULL'
  if (Buffer.isBuffer(v)) return `'\\x${v.toString('hex')}'`
  if (v instanceof Date) return `'${v.toISOString()}'`
  if (typeof v === 'string') return quote(v)
  // A text[] (a batch's keys read ahead) as its array literal, each element quoted.
  if (Array.isArray(v)) return quote(`{${v.map((x: string) => `"${x.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`)
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `'${String(v)}'`
  throw new Error(`cannot inline a ${typeof v}`) // unreachable: callers check inlinable first
}

export function quote(s: string): string {
  const quoted = `'${s.includes("'") ? s.replaceAll("'", "''") : s}'`
  return s.includes('\\') ? ` E${quoted.replaceAll('\\', '\\\\')}` : quoted
}

/** ms → timestamptz parameter. */
export const ts = (ms: number): Date => new Date(ms)
export const tsOrNull = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms))
/** timestamptz column → ms. */
export const ms = (d: Date): number => d.getTime()
export const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime())
