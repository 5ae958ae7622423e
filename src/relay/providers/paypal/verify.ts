import { verify as verifySignature, type X509Certificate } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { NotificationRejected, type NotificationInput } from '../types'
import { pinnedCertUrl, verifyChain } from './certificates'

// Offline verification of a PayPal webhook transmission: the signed message is
// `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody)}` (CRC as unsigned
// decimal), SHA256withRSA with the key of a certificate fetched from a pinned PayPal host.
// Cheap checks (headers, URL pin, time window) run before any certificate is fetched.

export interface PaypalVerifyContext {
  webhookId: string
  certHosts: readonly string[]
  anchors: readonly X509Certificate[]
  toleranceSeconds: number
  futureSkewSeconds: number
  /** PEM chain for a pinned cert URL (cached by the caller). */
  loadChain(url: string): Promise<string>
}

function header(headers: NotificationInput['headers'], name: string): string | undefined {
  let value = headers[name]
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name)
    value = key === undefined ? undefined : headers[key]
  }
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined
  return value?.trim() || undefined
}

/** The message PayPal signs for one transmission. */
export function signedMessage(transmissionId: string, transmissionTime: string, webhookId: string, rawBody: Buffer): string {
  return `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody) >>> 0}`
}

export async function verifyPaypalTransmission(input: NotificationInput, ctx: PaypalVerifyContext): Promise<unknown> {
  const id = header(input.headers, 'paypal-transmission-id')
  const time = header(input.headers, 'paypal-transmission-time')
  const sig = header(input.headers, 'paypal-transmission-sig')
  const certUrl = header(input.headers, 'paypal-cert-url')
  const algo = header(input.headers, 'paypal-auth-algo')
  if (!id || !time || !sig || !certUrl || !algo) {
    throw new NotificationRejected('missing_signature', 'paypal-transmission-* / cert-url / auth-algo header missing')
  }
  if (algo !== 'SHA256withRSA') throw new NotificationRejected('malformed', `auth algo ${algo}`)

  const sentAt = Date.parse(time)
  if (Number.isNaN(sentAt)) throw new NotificationRejected('malformed', 'transmission time is not a date')
  if (sentAt < input.receivedAt - ctx.toleranceSeconds * 1000 || sentAt > input.receivedAt + ctx.futureSkewSeconds * 1000) {
    throw new NotificationRejected('timestamp_out_of_window', `transmission time ${time}`)
  }

  const url = pinnedCertUrl(certUrl, ctx.certHosts)
  // A failed fetch is not a verdict on the message: it propagates as a plain error (retry).
  const leaf = verifyChain(await ctx.loadChain(url), ctx.anchors, input.receivedAt)

  if (leaf.publicKey.asymmetricKeyType !== 'rsa') {
    throw new NotificationRejected('untrusted_certificate', 'leaf key is not RSA')
  }
  const signature = Buffer.from(sig, 'base64')
  const message = Buffer.from(signedMessage(id, time, ctx.webhookId, input.rawBody), 'utf8')
  let ok = false
  try {
    ok = verifySignature('sha256', message, leaf.publicKey, signature)
  } catch {
    ok = false
  }
  if (!ok) throw new NotificationRejected('bad_signature', 'transmission signature does not verify')

  try {
    return JSON.parse(input.rawBody.toString('utf8'))
  } catch {
    throw new NotificationRejected('malformed', 'body is not JSON')
  }
}
