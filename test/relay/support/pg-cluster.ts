import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A throwaway PostgreSQL cluster from Debian's binaries (/usr/lib/postgresql/<version>/bin, the
// newest found): initdb in a temp directory, listening on a free port on 127.0.0.1, stopped and
// removed by stop(). initdb refuses root, so as root it runs as the `postgres` user (runuser).
// C locale: text orders as in SQLite. fsync off: a test cluster is thrown away, not recovered.

export interface Cluster {
  url: string
  /** `pg_ctl restart -m fast`, without blocking the event loop (the fault test restarts under load). */
  restart(): Promise<void>
  stop(): void
}

export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      server.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

export async function startCluster(bin: string): Promise<Cluster> {
  // The one wait, before anything is on disk: a caller stopped meanwhile leaves nothing behind.
  const port = await freePort()
  const root = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'relay-pg-'))
  const data = join(dir, 'data')
  const command = (cmd: string, args: string[]): [string, string[]] =>
    root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args]
  const asOwner = (cmd: string, args: string[]) => void execFileSync(...command(cmd, args), { stdio: ['ignore', 'ignore', 'pipe'] })
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`
  const ctlArgs = (action: string) => ['-D', data, '-l', join(dir, 'log'), '-w', '-m', 'fast', '-o', options, action]
  try {
    if (root) {
      const { uid, gid } = postgresIds()
      chownSync(dir, uid, gid)
    }
    asOwner('initdb', ['-D', data, '-U', 'relay', '--auth=trust', '--locale=C', '--encoding=UTF8', '-N'])
    asOwner('pg_ctl', ctlArgs('start'))
  } catch (err) {
    // Half started (no `postgres` user, the server refused its port …): leave nothing behind.
    if (existsSync(join(data, 'postmaster.pid'))) spawnSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  let stopped = false
  return {
    url: `postgres://relay@127.0.0.1:${port}/postgres`,
    restart: async () => void (await promisify(execFile)(...command('pg_ctl', ctlArgs('restart')))),
    stop() {
      if (stopped) return
      stopped = true
      try {
        asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}

function postgresIds(): { uid: number; gid: number } {
  const out = (args: string[]) => Number(spawnSync('id', args, { encoding: 'utf8' }).stdout.trim())
  return { uid: out(['-u', 'postgres']), gid: out(['-g', 'postgres']) }
}
