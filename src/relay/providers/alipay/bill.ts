import type { AlipaySdk } from 'alipay-sdk'
import { BillingError } from '../../../shared/errors'
import { readZip } from '../../reconcile/zip'

// alipay.data.dataservice.bill.downloadurl.query (bill_type trade) answers, in a signed answer, a
// short-lived URL of a zip holding the day's 业务明细 CSV (GBK) and its 汇总; the relay fetches
// it at once and hands the detail file on as text. A day not yet billed (before about 09:00 the
// next day) is Alipay's isp.bill_not_exist, said as such.

const gbk = new TextDecoder('gbk')

function unavailable(message: string, details?: Record<string, unknown>): BillingError {
  return new BillingError('UNAVAILABLE', `Alipay: ${message}`, details)
}

export async function alipayTradeBill(sdk: AlipaySdk, date: string, timeoutMs: number): Promise<string> {
  let result: Record<string, unknown>
  try {
    result = await sdk.exec('alipay.data.dataservice.bill.downloadurl.query', { bizContent: { bill_type: 'trade', bill_date: date } }, { validateSign: true })
  } catch (err) {
    throw unavailable(`the bill's address could not be fetched: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`, { date })
  }
  if (result.code !== '10000' || typeof result.bill_download_url !== 'string') {
    const sub = String(result.sub_code ?? '')
    throw unavailable(sub === 'isp.bill_not_exist' ? `no bill for ${date} yet (Alipay bills a day the next morning)` : `the bill was refused: ${String(result.code)} ${sub}`.trim(), {
      date,
      code: result.code,
      subCode: result.sub_code
    })
  }
  let zip: Buffer
  try {
    const res = await fetch(result.bill_download_url, { signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    zip = Buffer.from(await res.arrayBuffer())
  } catch (err) {
    throw unavailable(`the bill file could not be downloaded: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`, { date })
  }
  const detail = readZip(zip).find((e) => e.name.includes('业务明细') && !e.name.includes('汇总'))
  if (!detail) throw unavailable(`the bill archive of ${date} holds no 业务明细 file`, { date })
  return gbk.decode(detail.data)
}
