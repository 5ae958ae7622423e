import Database from 'better-sqlite3'
import Fastify from 'fastify'
import Stripe from 'stripe'

// The peer for bench/relay/notify.ts: the Stripe webhook handler most projects write, as the
// Stripe docs show it. Fastify with a raw-body parser, stripe.webhooks.constructEvent, then one
// better-sqlite3 transaction per notification (WAL, synchronous=FULL: the commit is on disk
// when it returns): replay guard on the event id, payment row, order marked paid; reply after it.
// PEER_DB: the file bench/relay/peer-store.ts created and seeded. Prints its URL on stdout.

const secret = process.env['PEER_SECRET'] ?? ''
const db = new Database(process.env['PEER_DB'] ?? '')
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.pragma('foreign_keys = ON')
db.pragma('busy_timeout = 5000')
const stripe = new Stripe('sk_test_peer')

const guard = db.prepare('INSERT INTO processed_events (event_id, type, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
const findOrder = db.prepare('SELECT amount, currency, status FROM orders WHERE order_no = ?')
const addPayment = db.prepare(
  'INSERT INTO payments (order_no, event_id, provider_payment_id, amount, currency, paid_at) VALUES (?, ?, ?, ?, ?, ?)'
)
const markPaid = db.prepare("UPDATE orders SET status = 'paid', paid_at = ? WHERE order_no = ? AND status = 'pending'")

/** Thrown inside the transaction so the replay guard rolls back with it (Stripe redelivers). */
class Refused extends Error {
  constructor(readonly status: number) {
    super(`refused ${status}`)
  }
}

const paySession = db.transaction((event: Stripe.Event, session: Stripe.Checkout.Session): 'paid' | 'duplicate' => {
  const now = Date.now()
  if (guard.run(event.id, event.type, now).changes === 0) return 'duplicate'
  const orderNo = session.client_reference_id ?? ''
  const order = findOrder.get(orderNo) as { amount: number; currency: string; status: string } | undefined
  if (!order) throw new Refused(404)
  if (order.amount !== session.amount_total || order.currency !== (session.currency ?? '').toUpperCase()) throw new Refused(400)
  if (order.status === 'paid') return 'duplicate'
  const pi = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null)
  addPayment.run(orderNo, event.id, pi, order.amount, order.currency, now)
  markPaid.run(now, orderNo)
  return 'paid'
})

const app = Fastify({ logger: false })
// constructEvent needs the exact bytes Stripe signed.
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

app.post('/v1/notify/stripe', async (req, reply) => {
  let event: Stripe.Event
  try {
    event = stripe.webhooks.constructEvent(req.body as Buffer, String(req.headers['stripe-signature'] ?? ''), secret)
  } catch {
    return reply.code(400).send({ error: 'bad_signature' })
  }
  if (event.type === 'checkout.session.completed' && event.data.object.payment_status === 'paid') {
    try {
      paySession(event, event.data.object)
    } catch (err) {
      if (err instanceof Refused) return reply.code(err.status).send({ error: err.message })
      throw err
    }
  }
  return { received: true }
})

const url = await app.listen({ port: 0, host: '127.0.0.1' })
process.stdout.write(`listening on ${url}\n`)
process.on('SIGTERM', () =>
  void app.close().then(() => {
    db.close()
    process.exit(0)
  })
)
