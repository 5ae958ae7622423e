import { createPublicKey, createVerify, X509Certificate, type KeyObject } from 'node:crypto'
import { NotificationRejected } from '../types'
import { normalizeSerial, type WechatConfig } from './config'

// WeChat Pay v3 signs notifications and API responses with SHA256withRSA over
// "timestamp\nnonce\nbody\n", naming the key by Wechatpay-Serial. Only keys from the
// config are trusted; an unknown serial is refused, never looked up.

export interface PlatformKey {
  serial: string
  key: KeyObject
  /** Certificate validity (epoch ms); absent for a bare platform public key. */
  validFrom?: number
  validTo?: number
}

export function platformKeys(config: WechatConfig): PlatformKey[] {
  const keys: PlatformKey[] = []
  if (config.platformCertificate) {
    const cert = new X509Certificate(config.platformCertificate)
    keys.push({
      serial: normalizeSerial(cert.serialNumber),
      key: cert.publicKey,
      validFrom: Date.parse(cert.validFrom),
      validTo: Date.parse(cert.validTo)
    })
  }
  if (config.platformPublicKey && config.platformPublicKeyId) {
    keys.push({ serial: normalizeSerial(config.platformPublicKeyId), key: createPublicKey(config.platformPublicKey) })
  }
  return keys
}

export interface SignedHeaders {
  signature: string
  timestamp: string
  nonce: string
  serial: string
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

export function readSignedHeaders(headers: Record<string, string | string[] | undefined>): SignedHeaders {
  const signature = header(headers, 'wechatpay-signature')
  const timestamp = header(headers, 'wechatpay-timestamp')
  const nonce = header(headers, 'wechatpay-nonce')
  const serial = header(headers, 'wechatpay-serial')
  if (!signature || !timestamp || !nonce || !serial) {
    throw new NotificationRejected('missing_signature', 'Wechatpay-Signature/-Timestamp/-Nonce/-Serial required')
  }
  return { signature, timestamp, nonce, serial }
}

/**
 * Verifies the signature on the raw body, then the timestamp window (so a forged message
 * reports bad_signature and an authentic stale one reports the window).
 */
export function verifyWechatSignature(
  keys: PlatformKey[],
  signed: SignedHeaders,
  rawBody: Buffer,
  now: number,
  toleranceSeconds: number
): void {
  const trusted = keys.find((k) => k.serial === normalizeSerial(signed.serial))
  if (!trusted) throw new NotificationRejected('untrusted_certificate', `unknown Wechatpay-Serial ${signed.serial}`)
  if ((trusted.validFrom !== undefined && now < trusted.validFrom) || (trusted.validTo !== undefined && now > trusted.validTo)) {
    throw new NotificationRejected('untrusted_certificate', `platform certificate ${trusted.serial} is not valid now`)
  }
  if (!/^\d{1,12}$/.test(signed.timestamp)) {
    throw new NotificationRejected('malformed', 'Wechatpay-Timestamp is not a number of seconds')
  }
  const message = Buffer.concat([Buffer.from(`${signed.timestamp}\n${signed.nonce}\n`), rawBody, Buffer.from('\n')])
  let valid = false
  try {
    valid = createVerify('RSA-SHA256').update(message).verify(trusted.key, signed.signature, 'base64')
  } catch {
    valid = false
  }
  if (!valid) throw new NotificationRejected('bad_signature', 'SHA256withRSA signature does not verify')
  const skew = Math.abs(Math.floor(now / 1000) - Number(signed.timestamp))
  if (skew > toleranceSeconds) {
    throw new NotificationRejected('timestamp_out_of_window', `Wechatpay-Timestamp is ${skew}s away from now`)
  }
}
