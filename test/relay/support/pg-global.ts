import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openPgStore } from '../../../src/relay/store/pg/open'
import { postgresBin, startCluster, type Cluster } from './pg-cluster'

// vitest globalSetup: one PostgreSQL for the whole run (RELAY_TEST_DATABASE_URL, or a throwaway
// cluster from the local binaries), and a migrated template database each test copies
// (support/pg.ts). Says plainly when there is none: the PostgreSQL half of the relay tests skips.

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test server; '' when there is none. */
    relayPgUrl: string
    relayPgTemplate: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: Cluster | undefined
  let url = process.env['RELAY_TEST_DATABASE_URL'] ?? ''
  if (!url) {
    const bin = postgresBin()
    if (bin) {
      try {
        cluster = await startCluster(bin)
        url = cluster.url
      } catch (err) {
        // No usable cluster (no `postgres` user, a refused port …): the SQLite half still runs.
        const why = err instanceof Error ? err.message.split('\n')[0] : String(err)
        process.stdout.write(`relay tests: the PostgreSQL half is SKIPPED: a cluster from ${bin} did not start (${why})\n`)
      }
    } else {
      process.stdout.write(
        'relay tests: the PostgreSQL half is SKIPPED: no RELAY_TEST_DATABASE_URL and no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)\n'
      )
    }
  }
  const template = `relay_template_${process.pid}`
  if (url) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${template}`)
    await admin.query(`CREATE DATABASE ${template}`)
    await admin.end()
    const store = await openPgStore({ url: withDatabase(url, template) })
    await store.close()
  }
  project.provide('relayPgUrl', url)
  project.provide('relayPgTemplate', template)
  return async () => {
    if (url && !cluster) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
      await admin.end()
    }
    cluster?.stop()
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
