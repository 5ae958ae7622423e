import { createServer, type ServerResponse } from 'node:http'
import Database from 'better-sqlite3'
import { applyPragmas, immediateTx } from '../../src/node/sqlite/pragmas'
import { BACKSTOP_PAGES, Checkpointer } from '../../src/relay/store/sqlite/checkpointer'
import { WalSync } from '../../src/relay/store/sqlite/wal-sync'
import { readSignedBody } from './stripe-hmac'

// The durable floor for bench/relay/notify.ts: the least a server can do and still keep every
// notification it acknowledges. node:http, the same HMAC check as floor-server.ts, then one
// appended row per notification (the verified body), committed as the relay commits: the
// notifications verified in one turn of the event loop in one transaction with
// synchronous=NORMAL, the reply after the relay's own WAL fsync off the event loop (WalSync,
// shared by every commit made while the previous one ran), checkpoints on the relay's
// checkpoint thread. FLOOR_DB: its file (created here). FLOOR_DURABILITY=normal: no fsync, as
// the relay with RELAY_DB_DURABILITY=normal. Prints its URL on stdout.

const secret = process.env['FLOOR_SECRET'] ?? ''
const path = process.env['FLOOR_DB'] ?? ''
const durable = process.env['FLOOR_DURABILITY'] !== 'normal'

const db = new Database(path)
applyPragmas(db, 'normal')
db.pragma('cache_size = -65536')
db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
db.exec('CREATE TABLE IF NOT EXISTS notifications (id INTEGER PRIMARY KEY, signed_at INTEGER NOT NULL, body BLOB NOT NULL)')
const checkpointer = new Checkpointer(path)
const wal = durable ? new WalSync(`${path}-wal`) : undefined
const append = db.prepare('INSERT INTO notifications (signed_at, body) VALUES (?, ?)')
const tx = immediateTx(db)

interface Pending {
  signedAt: number
  body: Buffer
  res: ServerResponse
}
let queue: Pending[] = []
let scheduled = false

function enqueue(p: Pending): void {
  queue.push(p)
  if (scheduled) return
  scheduled = true
  // As the relay's pipeline: next turn, and not before an fsync could start for the commit.
  setImmediate(() => (wal ? wal.whenSlotFree(flush) : flush()))
}

function flush(): void {
  scheduled = false
  const batch = queue
  queue = []
  let synced: Promise<void>
  try {
    tx(() => {
      for (const p of batch) append.run(p.signedAt, p.body)
    })
    synced = wal ? wal.afterCommit() : Promise.resolve()
  } catch (err) {
    synced = Promise.reject(err)
  }
  synced.then(
    () => batch.forEach((p) => answer(p.res, 200, '{"received":true}')),
    () => batch.forEach((p) => answer(p.res, 503, '{"error":"not_stored"}'))
  )
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body)
}

const server = createServer((req, res) =>
  readSignedBody(req, secret, (body, signedAt, ok) => {
    if (ok) enqueue({ signedAt, body, res })
    else answer(res, 400, '{"error":"bad_signature"}')
  })
)
server.listen(0, '127.0.0.1', () => {
  const a = server.address()
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`)
})
process.on('SIGTERM', () =>
  server.close(() =>
    void (async () => {
      await wal?.whenDurable()
      wal?.close()
      db.close()
      await checkpointer.close()
      process.exit(0)
    })()
  )
)
