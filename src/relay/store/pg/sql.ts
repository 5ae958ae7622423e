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
}

const names = new Map<string, string>()
const nameOf = (text: string): string => {
  let name = names.get(text)
  if (!name) names.set(text, (name = `relay_${names.size}`))
  return name
}

type Result<T> = { rows: T[]; rowCount: number | null }

/** Parameters of each statement text ($1 … $n), for the argument list of its EXECUTE. */
const arity = new Map<string, number>()
const arityOf = (text: string): number => {
  let n = arity.get(text)
  if (n === undefined) {
    n = 0
    for (const m of text.matchAll(/\$(\d+)/g)) n = Math.max(n, Number(m[1]))
    arity.set(text, n)
  }
  return n
}

/**
 * What is PREPAREd on one connection, by statement: the name it has there and whether it is known
 * to exist. A message sends its PREPAREs first, so a failure of one of its data statements (a
 * unique key, a conflict: SQLSTATE classes 23 and 40, the ones units run again on) comes after
 * they all ran; PREPARE is not undone by the rollback. After any other failure it is not known
 * which ran, so those statements take a new name (a spare prepared statement at most, per
 * statement and such failure) and are PREPAREd again.
 */
type Prepared = Map<string, { name: string; generation: number; done: boolean }>
const preparedOn = new WeakMap<PoolClient, Prepared>()

export function sqlOn(client: PoolClient, counted?: { statements: number; roundTrips: number }): UnitSql {
  /** The unit's own statements (its BEGIN): first in the next message, before the PREPAREs. */
  let head: string[] = []
  let queued: string[] = []
  /** The PREPAREs the queue needs, sent ahead of it, and their statements. */
  let prepares: string[] = []
  let preparing: { name: string; generation: number; done: boolean }[] = []
  let prepared = preparedOn.get(client)
  if (!prepared) preparedOn.set(client, (prepared = new Map()))
  const on = prepared
  const count = (text: string) => {
    if (!counted) return
    counted.statements++
    pgStats?.statement(text)
  }
  /** The statement as the queue carries it: EXECUTE of its prepared form, PREPAREd first if new here. */
  const executed = (text: string, values: readonly unknown[]): string => {
    const base = nameOf(text)
    let p = on.get(base)
    if (!p) on.set(base, (p = { name: `${base}_q0`, generation: 0, done: false }))
    const n = arityOf(text)
    let args = ''
    for (let i = 0; i < n; i++) args += (i ? ', ' : '') + inline(values[i])
    const execute = n ? `EXECUTE ${p.name}(${args})` : `EXECUTE ${p.name}`
    if (!p.done && !preparing.includes(p)) {
      preparing.push(p)
      prepares.push(`PREPARE ${p.name} AS ${text}`)
    }
    return execute
  }
  // The queue and then `tails`, as one message; the answers are the tails' (one statement each).
  const sendMany = async (tails: readonly string[]): Promise<Result<unknown>[]> => {
    const text = [...head, ...prepares, ...queued, ...tails].join(';\n')
    const sent = preparing
    head = []
    queued = []
    prepares = []
    preparing = []
    if (counted) counted.roundTrips++
    let r: Result<unknown> | Result<unknown>[]
    try {
      r = (await client.query(text)) as unknown as Result<unknown> | Result<unknown>[]
    } catch (err) {
      const afterPrepares = /^(23|40)/.test(String((err as { code?: unknown }).code ?? ''))
      for (const p of sent) {
        if (afterPrepares) p.done = true
        else p.name = `${p.name.slice(0, p.name.lastIndexOf('_q'))}_q${++p.generation}`
      }
      throw err
    }
    for (const p of sent) p.done = true
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
    return (await client.query({ name: nameOf(text), text, values: values as unknown[] })) as unknown as Result<T>
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
    queue: (text) => void head.push(text),
    flush: async (tail) => void (await send(tail)),
    discard: () => {
      // Never sent: their PREPAREs did not run.
      head = []
      queued = []
      prepares = []
      preparing = []
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
