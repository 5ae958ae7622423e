// A fake WeChat Pay API v3 on 127.0.0.1 for wechatpay-node-v3's real transactions_native:
// it checks the SDK's Authorization header (WECHATPAY2-SHA256-RSA2048 over
// "METHOD\npath\ntimestamp\nnonce\nbody\n" with the merchant certificate's key) and answers
// a code_url, signed with the platform key like the real API; 申请退款 (POST
// /v3/refund/domestic/refunds) idempotent by out_refund_no, refusing more than is left. Plus helpers for test keys,
// self-signed certificates (openssl) and signed, encrypted notifications.
import { execFileSync } from 'node:child_process'
import {
  createCipheriv,
  createHash,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  X509Certificate
} from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertKey {
  privateKey: string
  publicKey: string
  certificate: string
  /** Upper-case hex, as WeChat prints serials. */
  serial: string
}

export interface WechatTestKeys {
  appId: string
  mchId: string
  apiV3Key: string
  merchant: TestCertKey
  platform: TestCertKey
}

/** A self-signed certificate for `privateKey` (PEM), made by the openssl CLI. */
export function selfSignedCertificate(privateKey: string, commonName: string, days = 30): string {
  const dir = mkdtempSync(join(tmpdir(), 'wxcert-'))
  try {
    const keyFile = join(dir, 'key.pem')
    writeFileSync(keyFile, privateKey, { mode: 0o600 })
    // 0x40.. keeps the serial positive and 20 bytes long, like WeChat's.
    const serial = `40${randomBytes(19).toString('hex')}`
    return execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${commonName}`, '-days', String(days), '-sha256', '-set_serial', `0x${serial}`],
      { encoding: 'utf8' }
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function generateCertKey(commonName: string): TestCertKey {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  const certificate = selfSignedCertificate(pair.privateKey, commonName)
  const serial = new X509Certificate(certificate).serialNumber.toUpperCase().replace(/^0+/, '')
  return { ...pair, certificate, serial }
}

export function generateWechatKeys(): WechatTestKeys {
  return {
    appId: 'wx0123456789abcdef',
    mchId: '1900000109',
    apiV3Key: randomBytes(16).toString('hex'), // 32 ASCII bytes
    merchant: generateCertKey('1900000109 merchant'),
    platform: generateCertKey('Tenpay.com Root CA test platform')
  }
}

export function signWechatMessage(timestamp: string, nonce: string, body: string | Buffer, privateKey: string): string {
  return createSign('RSA-SHA256')
    .update(Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]))
    .sign(privateKey, 'base64')
}

export interface EncryptedWechatResource {
  original_type: string
  algorithm: string
  ciphertext: string
  associated_data: string
  nonce: string
}

/** AEAD_AES_256_GCM as WeChat does: base64(ciphertext || 16-byte tag), 12-char nonce. */
export function encryptWechatResource(
  plaintext: string,
  apiV3Key: string,
  originalType = 'transaction',
  associatedData = originalType
): EncryptedWechatResource {
  const nonce = randomBytes(6).toString('hex')
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'))
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return {
    original_type: originalType,
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: body.toString('base64'),
    associated_data: associatedData,
    nonce
  }
}

export interface WechatNotificationOptions {
  eventType: string
  /** The plaintext resource (transaction or refund object). */
  resource: Record<string, unknown>
  apiV3Key: string
  platformPrivateKey: string
  platformSerial: string
  /** Wechatpay-Timestamp, epoch seconds. */
  timestamp: number
  id?: string
  /** Edit the envelope after encryption and before signing (e.g. corrupt the ciphertext). */
  beforeSign?: (envelope: Record<string, unknown> & { resource: EncryptedWechatResource }) => void
}

export interface WechatNotification {
  rawBody: Buffer
  headers: Record<string, string>
}

/** A notification as WeChat Pay sends it: encrypted resource, signed JSON envelope. */
export function buildWechatNotification(opts: WechatNotificationOptions): WechatNotification {
  const originalType = opts.eventType.startsWith('REFUND.') ? 'refund' : 'transaction'
  const envelope = {
    id: opts.id ?? `EV-${randomBytes(8).toString('hex')}`,
    create_time: new Date(opts.timestamp * 1000).toISOString().replace('Z', '+00:00'),
    resource_type: 'encrypt-resource',
    event_type: opts.eventType,
    summary: 'test',
    resource: encryptWechatResource(JSON.stringify(opts.resource), opts.apiV3Key, originalType)
  }
  opts.beforeSign?.(envelope)
  const body = JSON.stringify(envelope)
  const nonce = randomBytes(16).toString('hex')
  const timestamp = String(opts.timestamp)
  return {
    rawBody: Buffer.from(body),
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': opts.platformSerial,
      'wechatpay-signature': signWechatMessage(timestamp, nonce, body, opts.platformPrivateKey),
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'content-type': 'application/json'
    }
  }
}

export interface FakeWechatRequest {
  method: string
  path: string
  body: Record<string, unknown>
  authorized: boolean
  authError?: string
}

export interface FakeWechatPay {
  /** Pass as `baseUrl` in the WeChat config. */
  baseUrl: string
  requests: FakeWechatRequest[]
  /** The next native order or refund answers this error. */
  failNext(status: number, code: string, message: string): void
  /** Refunds made by out_refund_no, as the API answers them. */
  refunds: Map<string, FakeWechatRefund>
  /** out_trade_no of every order closed through 关闭订单. */
  closed: Set<string>
  /** New refunds answer PROCESSING (the notification will say) or SUCCESS (the default). */
  refundsAnswer(status: 'SUCCESS' | 'PROCESSING' | 'ABNORMAL'): void
  /** The next answer is signed with this key instead of the platform key (a forged answer). */
  signNextWith(privateKey: string): void
  /** A day's 交易账单 (CSV text, UTF-8), served by /v3/bill/tradebill and /v3/billdownload/file. */
  putBill(date: string, csv: string): void
  /** The next bill file downloaded differs from the hash its tradebill answer gave (a damaged download). */
  damageNextBill(): void
  close(): Promise<void>
}

export interface FakeWechatRefund {
  refund_id: string
  out_refund_no: string
  transaction_id: string
  out_trade_no: string
  channel: 'ORIGINAL'
  user_received_account: string
  create_time: string
  success_time?: string
  status: 'SUCCESS' | 'PROCESSING' | 'ABNORMAL' | 'CLOSED'
  funds_account: 'AVAILABLE'
  amount: { total: number; refund: number; payer_total: number; payer_refund: number; settlement_refund: number; settlement_total: number; discount_refund: number; currency: 'CNY' }
}

export interface FakeWechatOptions {
  mchId: string
  appId: string
  merchantCertificate: string
  merchantSerial: string
  platformPrivateKey: string
  platformSerial: string
  /** The fake's clock for response timestamps (epoch ms); defaults to Date.now. */
  now?: () => number
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startFakeWechatPay(opts: FakeWechatOptions): Promise<FakeWechatPay> {
  const requests: FakeWechatRequest[] = []
  const merchantKey = createPublicKey(new X509Certificate(opts.merchantCertificate).publicKey.export({ type: 'spki', format: 'pem' }))
  const now = opts.now ?? Date.now
  let pending: { status: number; code: string; message: string } | undefined
  const refunds = new Map<string, FakeWechatRefund>()
  let refundStatus: 'SUCCESS' | 'PROCESSING' | 'ABNORMAL' = 'SUCCESS'
  let refundSeq = 0
  let forgeKey: string | undefined

  /** 申请退款: idempotent by out_refund_no; never more than is left of the order's total. */
  function refund(body: Record<string, unknown>): [number, unknown] {
    const amount = body.amount as { refund?: unknown; total?: unknown; currency?: unknown } | undefined
    const outRefundNo = body.out_refund_no
    const outTradeNo = body.out_trade_no
    if (
      typeof outRefundNo !== 'string' ||
      !/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo) ||
      typeof outTradeNo !== 'string' ||
      !Number.isInteger(amount?.refund) ||
      !Number.isInteger(amount?.total) ||
      (amount?.refund as number) <= 0 ||
      amount?.currency !== 'CNY'
    ) {
      return [400, { code: 'PARAM_ERROR', message: '参数错误' }]
    }
    const seen = refunds.get(outRefundNo)
    if (seen) return [200, seen]
    const total = amount!.total as number
    const wanted = amount!.refund as number
    const done = [...refunds.values()]
      .filter((r) => r.out_trade_no === outTradeNo && r.status !== 'ABNORMAL' && r.status !== 'CLOSED')
      .reduce((sum, r) => sum + r.amount.refund, 0)
    if (done + wanted > total) return [400, { code: 'INVALID_REQUEST', message: '申请退款金额超过订单可退金额' }]
    const created = new Date(now()).toISOString().replace('Z', '+00:00')
    const r: FakeWechatRefund = {
      refund_id: `50000000${String(++refundSeq).padStart(8, '0')}${randomBytes(6).toString('hex')}`,
      out_refund_no: outRefundNo,
      transaction_id: `4200000000${outTradeNo.slice(-12)}`,
      out_trade_no: outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: created,
      ...(refundStatus === 'SUCCESS' ? { success_time: created } : {}),
      status: refundStatus,
      funds_account: 'AVAILABLE',
      amount: { total, refund: wanted, payer_total: total, payer_refund: wanted, settlement_refund: wanted, settlement_total: total, discount_refund: 0, currency: 'CNY' }
    }
    refunds.set(outRefundNo, r)
    return [200, r]
  }

  function checkAuthorization(method: string, path: string, body: string, header: string | undefined): string | undefined {
    if (!header) return 'missing Authorization'
    const m = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header)
    if (!m) return 'wrong scheme'
    const fields = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]))
    if (fields.mchid !== opts.mchId) return 'wrong mchid'
    if ((fields.serial_no ?? '').toUpperCase() !== opts.merchantSerial.toUpperCase()) return 'wrong serial_no'
    const message = `${method}\n${path}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`
    const ok = createVerify('RSA-SHA256').update(message).verify(merchantKey, fields.signature ?? '', 'base64')
    return ok ? undefined : 'signature does not verify'
  }

  function reply(res: import('node:http').ServerResponse, status: number, payload: unknown): void {
    const body = payload === undefined ? '' : JSON.stringify(payload)
    const timestamp = String(Math.floor(now() / 1000))
    const nonce = randomBytes(16).toString('hex')
    res.writeHead(status, {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': opts.platformSerial,
      'wechatpay-signature': signWechatMessage(timestamp, nonce, body, forgeKey ?? opts.platformPrivateKey)
    })
    forgeKey = undefined
    res.end(body)
  }

  const bills = new Map<string, Buffer>()
  const placed = new Set<string>()
  const closed = new Set<string>()
  let damageNext = false
  const server: Server = createServer(async (req, res) => {
    try {
      const method = req.method ?? 'GET'
      const path = req.url ?? '/'
      const raw = await readBody(req)
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
      const authError = checkAuthorization(method, path, raw, req.headers.authorization)
      requests.push({ method, path, body, authorized: !authError, ...(authError ? { authError } : {}) })
      if (authError) return reply(res, 401, { code: 'SIGN_ERROR', message: authError })
      const url = new URL(path, 'http://127.0.0.1')
      if (method === 'GET' && url.pathname === '/v3/bill/tradebill') {
        const date = url.searchParams.get('bill_date') ?? ''
        const file = bills.get(date)
        if (!file || url.searchParams.get('bill_type') !== 'ALL') return reply(res, 400, { code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' })
        return reply(res, 200, {
          hash_type: 'SHA1',
          hash_value: createHash('sha1').update(file).digest('hex'),
          // As WeChat answers it: on the API's own host (the relay rebases it onto this fake).
          download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${encodeURIComponent(date)}`
        })
      }
      if (method === 'GET' && url.pathname === '/v3/billdownload/file') {
        const file = bills.get(url.searchParams.get('token') ?? '')
        if (!file) return reply(res, 404, { code: 'NOT_FOUND', message: 'no such file' })
        const sent = damageNext ? Buffer.concat([file, Buffer.from('\n`extra line')]) : file
        damageNext = false
        // The file itself comes unsigned.
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        res.end(sent)
        return
      }
      // 关闭订单: 204 with an empty signed body; an order never placed here is not found.
      const close = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(url.pathname)
      if (method === 'POST' && close) {
        const no = decodeURIComponent(close[1]!)
        if (body.mchid !== opts.mchId) return reply(res, 400, { code: 'PARAM_ERROR', message: 'mchid' })
        if (!placed.has(no)) return reply(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' })
        closed.add(no)
        return reply(res, 204, undefined)
      }
      const isRefund = path === '/v3/refund/domestic/refunds'
      if (method !== 'POST' || (path !== '/v3/pay/transactions/native' && !isRefund)) {
        return reply(res, 404, { code: 'NOT_FOUND', message: 'no such API' })
      }
      if (pending) {
        const p = pending
        pending = undefined
        return reply(res, p.status, { code: p.code, message: p.message })
      }
      if (isRefund) {
        const [status, payload] = refund(body)
        return reply(res, status, payload)
      }
      const amount = body.amount as { total?: unknown; currency?: unknown } | undefined
      if (
        body.appid !== opts.appId ||
        body.mchid !== opts.mchId ||
        typeof body.out_trade_no !== 'string' ||
        typeof body.notify_url !== 'string' ||
        !Number.isInteger(amount?.total) ||
        (amount?.total as number) <= 0
      ) {
        return reply(res, 400, { code: 'PARAM_ERROR', message: 'invalid parameters' })
      }
      placed.add(body.out_trade_no)
      return reply(res, 200, { code_url: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('hex')}` })
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(String(err))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, code, message) {
      pending = { status, code, message }
    },
    refunds,
    closed,
    refundsAnswer(status) {
      refundStatus = status
    },
    signNextWith(privateKey) {
      forgeKey = privateKey
    },
    putBill(date, csv) {
      bills.set(date, Buffer.from(csv, 'utf8'))
    },
    damageNextBill() {
      damageNext = true
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
  }
}
