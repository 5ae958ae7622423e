import { createServer } from 'node:http'
import { readSignedBody } from './stripe-hmac'

// The floor for bench/relay/notify.ts: a bare node:http server that does only what a Stripe
// webhook check must do (read the body, HMAC-SHA256 over `${t}.${body}`, constant-time
// compare) and answers. Prints its URL on stdout.

const secret = process.env['FLOOR_SECRET'] ?? ''
const server = createServer((req, res) =>
  readSignedBody(req, secret, (_body, _t, ok) => {
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' })
    res.end(ok ? '{"received":true}' : '{"error":"bad_signature"}')
  })
)
server.listen(0, '127.0.0.1', () => {
  const a = server.address()
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
