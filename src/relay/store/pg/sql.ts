import type { Pool, PoolClient } from 'pg'

// The one way the PostgreSQL repositories talk to the database: a connection (a unit's client)
// with three shapes of query. Each distinct text is a named prepared statement, parsed and planned
// once per connection. Instants cross as Date (timestamptz) and come back as ms numbers.

export interface Sql {
  all<T>(text: string, values?: readonly unknown[]): Promise<T[]>
  get<T>(text: string, values?: readonly unknown[]): Promise<T | undefined>
  /** Runs a write; resolves to the number of rows it touched. */
  run(text: string, values?: readonly unknown[]): Promise<number>
}

const names = new Map<string, string>()
const nameOf = (text: string): string => {
  let name = names.get(text)
  if (!name) names.set(text, (name = `relay_${names.size}`))
  return name
}

export function sqlOn(client: PoolClient | Pool): Sql {
  const query = async <T>(text: string, values: readonly unknown[] = []) =>
    (await client.query({ name: nameOf(text), text, values: values as unknown[] })) as unknown as { rows: T[]; rowCount: number | null }
  return {
    all: async <T>(text: string, values?: readonly unknown[]) => (await query<T>(text, values)).rows,
    get: async <T>(text: string, values?: readonly unknown[]) => (await query<T>(text, values)).rows[0],
    run: async (text, values) => (await query(text, values)).rowCount ?? 0
  }
}

/** ms → timestamptz parameter. */
export const ts = (ms: number): Date => new Date(ms)
export const tsOrNull = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms))
/** timestamptz column → ms. */
export const ms = (d: Date): number => d.getTime()
export const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime())
