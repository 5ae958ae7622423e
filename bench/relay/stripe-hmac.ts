import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

// The check every Stripe webhook handler must do, shared by the bench's floor servers: the raw
// body, HMAC-SHA256 over `${t}.${body}` with the endpoint secret, a constant-time compare.

/** Calls `done` with the request's whole body, the signed timestamp, and whether the signature holds. */
export function readSignedBody(req: IncomingMessage, secret: string, done: (body: Buffer, signedAt: number, ok: boolean) => void): void {
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
    done(body, Number(t ?? 0), ok)
  })
}
