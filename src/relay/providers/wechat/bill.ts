import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import type Pay from 'wechatpay-node-v3'
import { BillingError } from '../../../shared/errors'

// 申请交易账单 GET /v3/bill/tradebill?bill_date&bill_type=ALL through the SDK's tradebill(), a
// signed answer naming download_url and the file's SHA1; then downloadBill(download_url), whose
// file comes unsigned, checked against that hash. The file is UTF-8 CSV (gzip when tar_type
// GZIP is asked; we ask for the plain file). A day not billed yet is WeChat's NO_STATEMENT_EXIST.

function unavailable(message: string, details?: Record<string, unknown>): BillingError {
  return new BillingError('UNAVAILABLE', `WeChat Pay: ${message}`, details)
}

function codeOf(error: unknown): string {
  try {
    const code = typeof error === 'string' ? (JSON.parse(error) as { code?: unknown }).code : undefined
    return typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : ''
  } catch {
    return ''
  }
}

export async function wechatTradeBill(pay: Pay, date: string): Promise<string> {
  let answer: Awaited<ReturnType<typeof pay.tradebill>>
  try {
    answer = await pay.tradebill({ bill_date: date, bill_type: 'ALL' })
  } catch (err) {
    throw unavailable(`the bill's address could not be fetched (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`, { date })
  }
  const named = answer.data as { download_url?: unknown; hash_type?: unknown; hash_value?: unknown } | undefined
  if (answer.status !== 200 || typeof named?.download_url !== 'string' || typeof named.hash_value !== 'string') {
    const code = codeOf(answer.error)
    throw unavailable(code === 'NO_STATEMENT_EXIST' ? `no bill for ${date} yet (WeChat Pay bills a day the next morning)` : `the bill was refused (${answer.status}${code ? ` ${code}` : ''})`, {
      date,
      status: answer.status,
      code
    })
  }
  let file: Awaited<ReturnType<typeof pay.downloadBill>>
  try {
    file = await pay.downloadBill(named.download_url)
  } catch (err) {
    throw unavailable(`the bill file could not be downloaded (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`, { date })
  }
  if (file.status !== 200 || !Buffer.isBuffer(file.data)) throw unavailable(`the bill file could not be downloaded (${file.status})`, { date, status: file.status })
  let raw: Buffer = file.data
  // A gzip file (magic 1f 8b) is unpacked; the hash is of the file as downloaded.
  const hash = createHash(String(named.hash_type ?? 'SHA1').toLowerCase() === 'sha1' ? 'sha1' : 'sha256').update(raw).digest('hex')
  if (hash !== named.hash_value.toLowerCase()) throw unavailable(`the bill file of ${date} does not match its hash; nothing was imported`, { date })
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw, { maxOutputLength: 64 * 1024 * 1024 })
  return raw.toString('utf8')
}
