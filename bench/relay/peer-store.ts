import Database from 'better-sqlite3'

// The peer's SQLite file (bench/relay/peer-server.ts): the three tables a typical Stripe
// webhook handler keeps. Created and seeded by bench/relay/notify.ts with the same orders it
// seeds into the relay, so every shot it sends finds its pending order on both servers.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  order_no TEXT PRIMARY KEY,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  paid_at INTEGER
);
CREATE TABLE IF NOT EXISTS processed_events (
  event_id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
  id INTEGER PRIMARY KEY,
  order_no TEXT NOT NULL REFERENCES orders(order_no),
  event_id TEXT NOT NULL UNIQUE,
  provider_payment_id TEXT,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  paid_at INTEGER NOT NULL
);
`

/** Creates the peer's file (WAL mode) with `orders` pending; amounts in minor units. */
export function createPeerDatabase(path: string, orders: { orderNo: string; amount: number }[], currency = 'CNY'): void {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.exec(SCHEMA)
    const insert = db.prepare('INSERT INTO orders (order_no, amount, currency) VALUES (?, ?, ?)')
    db.transaction(() => {
      for (const o of orders) insert.run(o.orderNo, o.amount, currency)
    })()
  } finally {
    db.close()
  }
}

/** What the peer wrote: replay-guard rows, payments, orders marked paid. */
export function peerCounts(path: string): { events: number; payments: number; paidOrders: number } {
  const db = new Database(path, { readonly: true })
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    return {
      events: n('SELECT count(*) AS n FROM processed_events'),
      payments: n('SELECT count(*) AS n FROM payments'),
      paidOrders: n("SELECT count(*) AS n FROM orders WHERE status = 'paid'")
    }
  } finally {
    db.close()
  }
}
