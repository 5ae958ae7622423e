import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

// The floor for bench/relay/notify.ts: a bare node:http server that does only what a Stripe
// webhook check must do (read the body, HMAC-SHA256 over `${t}.${body}`, constant-time
// compare) and answers. Prints its URL on stdout.

const secret = process.env['FLOOR_SECRET'] ?? ''
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    const header = String(req.headers['stripe-signature'] ?? '')
    const t = /(?:^|,)t=(\d+)/.exec(header)?.[1]
    const v1 = /(?:^|,)v1=([0-9a-f]{64})/.exec(header)?.[1]
    let ok = false
    if (t && v1) {
      const mac = createHmac('sha256', secret).update(`${t}.`).update(body).digest()
      ok = timingSafeEqual(mac, Buffer.from(v1, 'hex'))
    }
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' })
    res.end(ok ? '{"received":true}' : '{"error":"bad_signature"}')
  })
})
server.listen(0, '127.0.0.1', () => {
  const a = server.address()
  process.stdout.write(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
