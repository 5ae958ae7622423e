import pg from 'pg'
import { postgresBin, startCluster, type Cluster } from '../../test/relay/support/pg-cluster'

// A database of its own for a benchmark's PostgreSQL half: in the server BENCH_PG_URL names (an
// admin URL; the database is dropped after), or else in a throwaway cluster from the local
// binaries (test/relay/support/pg-cluster.ts, free of vitest), stopped and removed after. The
// removal also runs when the script fails or is interrupted (SIGINT, SIGTERM): a benchmark must
// not leave a cluster running on the machine.

export interface BenchDatabase {
  url: string
  /** Drops the database, or stops and removes the cluster; safe to call twice. */
  remove(): Promise<void>
}

/** Undefined (said on stdout) when there is no server: BENCH_PG_URL unset and no binaries. */
export async function benchDatabase(label: string): Promise<BenchDatabase | undefined> {
  let admin = process.env['BENCH_PG_URL']
  const bin = admin ? undefined : postgresBin()
  if (!admin && !bin) {
    console.log(`${label} on PostgreSQL: skipped (no BENCH_PG_URL, no /usr/lib/postgresql/*/bin)`)
    return undefined
  }
  const name = `relay_bench_${process.pid}`
  let cluster: Cluster | undefined
  let created = false
  const adminQuery = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin })
    await c.connect()
    await c.query(sql).finally(() => c.end())
  }
  let removed: Promise<void> | undefined
  const remove = (): Promise<void> =>
    (removed ??= (async () => {
      if (cluster) cluster.stop()
      else if (created) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
    })())
  // Listening before the cluster starts: a signal during initdb (a blocking call) is handled
  // once it returns, with the cluster known by then, instead of ending the process at once.
  const onSignal = (signal: NodeJS.Signals) => void remove().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // An uncaught error (a write to a closed pipe …) skips the callers' finally: stop() is
  // synchronous, so it runs on the way out too.
  process.on('exit', () => cluster?.stop())
  try {
    if (bin) {
      cluster = await startCluster(bin)
      admin = cluster.url
    }
    await adminQuery(`CREATE DATABASE ${name}`)
    created = true
  } catch (err) {
    await remove()
    throw err
  }
  const u = new URL(admin!)
  u.pathname = `/${name}`
  return { url: u.toString(), remove }
}
