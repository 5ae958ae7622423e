// A fake Alipay OpenAPI gateway on 127.0.0.1, enough for alipay-sdk's real calls:
// - POST gateway.do (exec): checks the app's RSA2 request signature with the app public key
//   and answers alipay.trade.precreate with a qr_code, signed with the "Alipay" private key
//   (the trade is kept, with a trade_no, for refunds), and alipay.trade.refund as Alipay
//   documents it: per trade by out_request_no (a repeat refunds nothing more and answers
//   fund_change N with the trade's refund_fee, its total refunded), never more than is left
//   (ACQ.REASON_TRADE_REFUND_FEE_ERR; without out_request_no only the whole amount);
// - GET gateway.do (page/wap pay URLs): checks the signature and answers a cashier page.
// Plus helpers for keys and for signed async notifications, as Alipay builds them.
import { createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto'
import { encodeGbk, zipGbk } from './bill-files'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface AlipayTestKeys {
  /** The merchant app's key pair: the relay signs requests with the private key. */
  appPrivateKey: string
  appPublicKey: string
  /** "Alipay"'s key pair: the fake signs responses and notifications with the private key. */
  alipayPrivateKey: string
  alipayPublicKey: string
}

/** Fresh RSA-2048 keys; the app private key is PKCS#1 PEM, as Alipay's tool gives it. */
export function generateAlipayKeys(): AlipayTestKeys {
  const app = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' }
  })
  const alipay = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  return {
    appPrivateKey: app.privateKey,
    appPublicKey: app.publicKey,
    alipayPrivateKey: alipay.privateKey,
    alipayPublicKey: alipay.publicKey
  }
}

/** Alipay's string to sign: parameters except those excluded, sorted by key, "k=v" joined by "&". */
export function alipaySignContent(params: Record<string, string>, exclude: string[] = ['sign']): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&')
}

export function rsa2Sign(content: string, privateKey: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64')
}

/**
 * A signed async notification body (application/x-www-form-urlencoded), as Alipay sends it:
 * RSA2 over the sorted, unencoded parameters without sign and sign_type.
 * Defaults fill notify_id, notify_time, notify_type, charset, version, sign_type.
 */
export function signAlipayNotification(
  params: Record<string, string>,
  alipayPrivateKey: string
): string {
  const full: Record<string, string> = {
    notify_type: 'trade_status_sync',
    notify_id: `ntf${randomBytes(8).toString('hex')}`,
    notify_time: '2024-05-01 12:00:00',
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    ...params
  }
  const sign = rsa2Sign(alipaySignContent(full, ['sign', 'sign_type']), alipayPrivateKey)
  return new URLSearchParams({ ...full, sign }).toString()
}

export interface FakeAlipayRequest {
  method: string
  params: Record<string, string>
  biz: Record<string, unknown>
  signatureValid: boolean
}

type BizError = { code: string; msg: string; sub_code?: string; sub_msg?: string }

export interface FakeAlipayRefund {
  outRequestNo: string
  /** Fen. */
  amount: number
  /** The trade's refund_fee once this refund was made (fen). */
  cumulative: number
  gmtRefund: string
}

export interface FakeAlipayTrade {
  outTradeNo: string
  tradeNo: string
  /** Fen. */
  total: number
  refunds: FakeAlipayRefund[]
  /** Set by alipay.trade.close: the QR code takes no more money. */
  closed?: boolean
}

export interface FakeAlipayGateway {
  /** Pass as `gateway` in the Alipay config. */
  gateway: string
  requests: FakeAlipayRequest[]
  /** The next precreate answers this business error instead of a QR code. */
  failNext(error: BizError): void
  /** Trades by out_trade_no, as precreate made them. */
  trades: Map<string, FakeAlipayTrade>
  /** The next alipay.trade.refund answers this business error and refunds nothing. */
  failNextRefund(error: BizError): void
  /**
   * 'processing': the next refund is taken (the money moves, a notification would say so) but
   * answered fund_change N with the refund_fee before it, as Alipay answers while still at work.
   * 'forged': the next refund is made but its answer is signed with another key (a tampered or
   * lost answer, as the relay sees it: the SDK refuses it).
   */
  nextRefundAnswer(answer: 'processing' | 'forged'): void
  /** The next refund is made at once but answered only when `release` is called (a slow answer). */
  holdNextRefund(): { taken: Promise<void>; release: () => void }
  /** A day's trade bill (业务明细 CSV text), served zipped in GBK as Alipay serves it. */
  putBill(date: string, csv: string): void
  /** The signed-notification parameters Alipay sends for a refund made here (before defaults). */
  refundNotification(outTradeNo: string, outRequestNo: string): Record<string, string>
  close(): Promise<void>
}

export interface FakeAlipayOptions {
  appId: string
  appPublicKey: string
  alipayPrivateKey: string
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startFakeAlipayGateway(opts: FakeAlipayOptions): Promise<FakeAlipayGateway> {
  const requests: FakeAlipayRequest[] = []
  let pendingError: BizError | undefined
  let pendingRefundError: BizError | undefined
  let processingNext = false
  let forgeNext = false
  const forgeKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey
  let hold: { taken: () => void; released: Promise<void> } | undefined
  const trades = new Map<string, FakeAlipayTrade>()
  let tradeSeq = 0
  const bills = new Map<string, Buffer>()

  /** Exact yuan text to fen; undefined when it is not a positive amount with ≤ 2 decimals. */
  function fen(text: unknown): number | undefined {
    const m = typeof text === 'string' ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(text) : null
    if (!m) return undefined
    const v = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
    return v > 0 && Number.isSafeInteger(v) ? v : undefined
  }
  const yuanText = (f: number) => `${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`
  const refunded = (t: FakeAlipayTrade) => t.refunds.reduce((sum, r) => sum + r.amount, 0)

  function refund(biz: Record<string, unknown>): Record<string, unknown> {
    if (pendingRefundError) {
      const e = pendingRefundError
      pendingRefundError = undefined
      return { ...e }
    }
    const byTradeNo = typeof biz.trade_no === 'string' ? [...trades.values()].find((t) => t.tradeNo === biz.trade_no) : undefined
    const trade = byTradeNo ?? (typeof biz.trade_no === 'string' ? undefined : trades.get(String(biz.out_trade_no)))
    if (!trade || (biz.out_trade_no !== undefined && biz.out_trade_no !== trade.outTradeNo)) {
      return { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在' }
    }
    const amount = fen(biz.refund_amount)
    const omitted = !(typeof biz.out_request_no === 'string' && biz.out_request_no)
    const outRequestNo = omitted ? trade.outTradeNo : String(biz.out_request_no)
    // Refusals carry the trade's order number and zero fees, as Alipay's do.
    const refused = (subCode: string, subMsg: string) => ({
      code: '40004',
      msg: 'Business Failed',
      sub_code: subCode,
      sub_msg: subMsg,
      out_trade_no: trade.outTradeNo,
      refund_fee: '0.00',
      send_back_fee: '0.00'
    })
    if (amount === undefined || outRequestNo.length > 64) {
      return { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数无效' }
    }
    const answer = (fundChange: 'Y' | 'N', refundFee: number) => ({
      code: '10000',
      msg: 'Success',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: 'tes***@example.com',
      fund_change: fundChange,
      refund_fee: yuanText(refundFee),
      gmt_refund_pay: '2024-05-01 12:30:00'
    })
    const known = trade.refunds.find((r) => r.outRequestNo === outRequestNo)
    if (known) {
      if (known.amount !== amount) return refused('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '撤销或退款金额与订单金额不一致')
      return answer('N', refunded(trade))
    }
    // Without out_request_no only the whole amount may be refunded; with it, never more than is left.
    if (omitted && amount !== trade.total) return refused('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '撤销或退款金额与订单金额不一致')
    if (amount > trade.total - refunded(trade)) return refused('ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额无效')
    const before = refunded(trade)
    trade.refunds.push({ outRequestNo, amount, cumulative: before + amount, gmtRefund: '2024-05-01 12:30:00.123' })
    if (processingNext) {
      processingNext = false
      return answer('N', before)
    }
    return answer('Y', before + amount)
  }

  function signedJson(responseKey: string, payload: Record<string, unknown>, key = opts.alipayPrivateKey): string {
    const inner = JSON.stringify(payload)
    return `{"${responseKey}":${inner},"sign":"${rsa2Sign(inner, key)}"}`
  }

  function check(params: Record<string, string>): { ok: boolean; subCode?: string } {
    const sign = params.sign
    if (!sign) return { ok: false, subCode: 'isv.missing-signature' }
    const valid = createVerify('RSA-SHA256')
      .update(alipaySignContent(params), 'utf8')
      .verify(opts.appPublicKey, sign, 'base64')
    if (!valid) return { ok: false, subCode: 'isv.invalid-signature' }
    if (params.app_id !== opts.appId) return { ok: false, subCode: 'isv.invalid-app-id' }
    if (params.sign_type !== 'RSA2') return { ok: false, subCode: 'isv.invalid-signature-type' }
    return { ok: true }
  }

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const params: Record<string, string> = Object.fromEntries(url.searchParams)
      if (req.method === 'POST') {
        for (const [k, v] of new URLSearchParams(await readBody(req))) params[k] = v
      }
      // The bill archive a bill.downloadurl.query answer names (unsigned, as Alipay's file server).
      const bill = /^\/bill\/(\d{4}-\d{2}-\d{2})\.zip$/.exec(url.pathname)
      if (bill && req.method === 'GET') {
        const zip = bills.get(bill[1]!)
        res.writeHead(zip ? 200 : 404, { 'content-type': 'application/zip' })
        res.end(zip ?? '')
        return
      }
      const method = params.method ?? ''
      const biz = params.biz_content ? (JSON.parse(params.biz_content) as Record<string, unknown>) : {}
      const verdict = check(params)
      requests.push({ method, params, biz, signatureValid: verdict.ok })
      const responseKey = `${method.replaceAll('.', '_')}_response`

      if (req.method === 'GET' && /^alipay\.trade\.(page|wap)\.pay$/.test(method)) {
        res.writeHead(verdict.ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' })
        res.end(verdict.ok ? `<html><body>cashier for ${String(biz.out_trade_no)}</body></html>` : verdict.subCode)
        return
      }
      res.setHeader('content-type', 'application/json; charset=utf-8')
      if (!verdict.ok) {
        res.end(signedJson(responseKey, { code: '40002', msg: 'Invalid Arguments', sub_code: verdict.subCode }))
        return
      }
      if (method === 'alipay.trade.refund') {
        const answer = refund(biz)
        const held = hold
        hold = undefined
        if (held) {
          held.taken()
          await held.released
        }
        const forged = forgeNext
        forgeNext = false
        res.end(signedJson(responseKey, answer, forged ? forgeKey : opts.alipayPrivateKey))
        return
      }
      if (method === 'alipay.data.dataservice.bill.downloadurl.query') {
        const date = String(biz.bill_date ?? '')
        if (biz.bill_type !== 'trade' || !bills.has(date)) {
          res.end(signedJson(responseKey, { code: '40004', msg: 'Business Failed', sub_code: 'isp.bill_not_exist', sub_msg: '账单不存在' }))
          return
        }
        const { port } = server.address() as AddressInfo
        res.end(signedJson(responseKey, { code: '10000', msg: 'Success', bill_download_url: `http://127.0.0.1:${port}/bill/${date}.zip` }))
        return
      }
      if (method === 'alipay.trade.close') {
        const trade = trades.get(String(biz.out_trade_no ?? ''))
        if (!trade) {
          res.end(signedJson(responseKey, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在' }))
          return
        }
        if (trade.closed || trade.refunds.length > 0) {
          res.end(signedJson(responseKey, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_STATUS_ERROR', sub_msg: '交易状态不合法' }))
          return
        }
        trade.closed = true
        res.end(signedJson(responseKey, { code: '10000', msg: 'Success', trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo }))
        return
      }
      if (method !== 'alipay.trade.precreate') {
        res.end(signedJson('error_response', { code: '40004', msg: 'Business Failed', sub_code: 'isv.unknown-method' }))
        return
      }
      if (pendingError) {
        const e = pendingError
        pendingError = undefined
        res.end(signedJson(responseKey, { ...e }))
        return
      }
      const amount = String(biz.total_amount ?? '')
      if (!/^\d+(\.\d{1,2})?$/.test(amount) || typeof biz.out_trade_no !== 'string') {
        res.end(signedJson(responseKey, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter' }))
        return
      }
      if (!trades.has(biz.out_trade_no)) {
        trades.set(biz.out_trade_no, {
          outTradeNo: biz.out_trade_no,
          tradeNo: `2024050122001${String(++tradeSeq).padStart(13, '0')}`,
          total: fen(amount) ?? 0,
          refunds: []
        })
      }
      res.end(
        signedJson(responseKey, {
          code: '10000',
          msg: 'Success',
          out_trade_no: biz.out_trade_no,
          qr_code: `https://qr.alipay.com/bax0${randomBytes(10).toString('hex')}`
        })
      )
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(String(err))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    gateway: `http://127.0.0.1:${port}/gateway.do`,
    requests,
    failNext(error) {
      pendingError = error
    },
    trades,
    failNextRefund(error) {
      pendingRefundError = error
    },
    nextRefundAnswer(answer) {
      if (answer === 'processing') processingNext = true
      else forgeNext = true
    },
    holdNextRefund() {
      let taken!: () => void
      let release!: () => void
      const takenP = new Promise<void>((r) => (taken = r))
      hold = { taken, released: new Promise<void>((r) => (release = r)) }
      return { taken: takenP, release }
    },
    putBill(date, csv) {
      const day = date.replaceAll('-', '')
      bills.set(
        date,
        zipGbk([
          { name: `20880000000000000156_${day}_业务明细.csv`, data: encodeGbk(csv) },
          { name: `20880000000000000156_${day}_业务明细(汇总).csv`, data: encodeGbk('#支付宝业务汇总查询\r\n') }
        ])
      )
    },
    refundNotification(outTradeNo, outRequestNo) {
      const trade = trades.get(outTradeNo)
      const r = trade?.refunds.find((x) => x.outRequestNo === outRequestNo)
      if (!trade || !r) throw new Error(`no refund ${outRequestNo} of ${outTradeNo}`)
      return {
        app_id: opts.appId,
        out_trade_no: trade.outTradeNo,
        trade_no: trade.tradeNo,
        out_biz_no: r.outRequestNo,
        // A full refund closes the trade; after a partial one it stays TRADE_SUCCESS.
        trade_status: r.cumulative === trade.total ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
        total_amount: yuanText(trade.total),
        refund_fee: yuanText(r.cumulative),
        gmt_refund: r.gmtRefund
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
  }
}
