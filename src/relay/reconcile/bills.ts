import { InvalidInput } from '../../shared/errors'
import { parseMoney } from '../../shared/money'

// The providers' trade bills, parsed into one shape. Both are CSV files the merchant downloads
// (or the SDK fetches): Alipay's 业务明细 (comment lines start with '#', a 业务类型 of 交易 or 退款,
// amounts in yuan, a refund's 退款批次号/请求号 = our out_request_no) and WeChat Pay's 交易账单
// (every field prefixed with a backtick, 交易状态 SUCCESS or REFUND, a summary after the lines).
// Columns are found by their header names, so a bill with columns added or moved still reads;
// one without the columns matching needs is refused, naming them.

export interface BillLine {
  provider: 'alipay' | 'wechat'
  kind: 'payment' | 'refund'
  /** Our order number (商户订单号). */
  orderNo: string
  /** The provider's trade number (支付宝交易号 / 微信订单号). */
  tradeNo: string
  /** A refund's id as the relay records it (Alipay: trade number:request number; WeChat: 微信退款单号). */
  refundId: string | null
  /** Minor units, positive for payments and refunds alike. */
  amount: number
  currency: 'CNY'
  /** As the bill shows it (Beijing time text). */
  time: string
  /** 1-based line in the file, for the operator. */
  line: number
}

/** Splits one CSV line (quoted fields allowed, doubled quotes inside). */
function cells(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++
      else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') out.push(cur), (cur = '')
    else cur += c
  }
  out.push(cur)
  return out.map((v) => v.trim().replace(/^`/, ''))
}

function columns(header: string[], wanted: Record<string, string>, provider: string): Record<string, number> {
  const at: Record<string, number> = {}
  const missing: string[] = []
  for (const [key, name] of Object.entries(wanted)) {
    const i = header.findIndex((h) => h.replace(/\s/g, '') === name)
    if (i < 0) missing.push(name)
    at[key] = i
  }
  if (missing.length) throw new InvalidInput(`this is not a ${provider} trade bill we can read: no column ${missing.join(', ')}`, { missing })
  return at
}

const yuan = (text: string, line: number): number => {
  try {
    return Math.abs(parseMoney(text.replace(/,/g, ''), 'CNY').amount)
  } catch {
    throw new InvalidInput(`line ${line}: "${text}" is not an amount in yuan`, { line })
  }
}

export function parseAlipayBill(text: string): BillLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = lines.findIndex((l) => l.includes('支付宝交易号') && l.includes('商户订单号'))
  if (headerAt < 0) throw new InvalidInput('this is not an Alipay trade bill: no header line with 支付宝交易号 and 商户订单号')
  const c = columns(cells(lines[headerAt]!), { trade: '支付宝交易号', order: '商户订单号', kind: '业务类型', time: '完成时间', amount: '订单金额（元）', request: '退款批次号/请求号' }, 'Alipay')
  const out: BillLine[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!
    if (raw.trim() === '' || raw.startsWith('#')) continue
    const f = cells(raw)
    const kind = f[c.kind!]
    if (kind !== '交易' && kind !== '退款') continue
    const tradeNo = f[c.trade!] ?? ''
    const request = f[c.request!] ?? ''
    out.push({
      provider: 'alipay',
      kind: kind === '交易' ? 'payment' : 'refund',
      orderNo: f[c.order!] ?? '',
      tradeNo,
      refundId: kind === '退款' ? `${tradeNo}:${request}` : null,
      amount: yuan(f[c.amount!] ?? '', i + 1),
      currency: 'CNY',
      time: f[c.time!] ?? '',
      line: i + 1
    })
  }
  return out
}

export function parseWechatBill(text: string): BillLine[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = lines.findIndex((l) => l.includes('微信订单号') && l.includes('商户订单号'))
  if (headerAt < 0) throw new InvalidInput('this is not a WeChat Pay trade bill: no header line with 微信订单号 and 商户订单号')
  const c = columns(
    cells(lines[headerAt]!),
    { time: '交易时间', trade: '微信订单号', order: '商户订单号', status: '交易状态', paid: '应结订单金额', refundId: '微信退款单号', refund: '退款金额' },
    'WeChat Pay'
  )
  const out: BillLine[] = []
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!
    if (!raw.startsWith('`')) continue // the summary ("总交易单数,…") and blank lines
    const f = cells(raw)
    const status = f[c.status!]
    if (status !== 'SUCCESS' && status !== 'REFUND') continue
    const refund = status === 'REFUND'
    out.push({
      provider: 'wechat',
      kind: refund ? 'refund' : 'payment',
      orderNo: f[c.order!] ?? '',
      tradeNo: f[c.trade!] ?? '',
      refundId: refund ? (f[c.refundId!] ?? '') : null,
      amount: yuan(f[refund ? c.refund! : c.paid!] ?? '', i + 1),
      currency: 'CNY',
      time: f[c.time!] ?? '',
      line: i + 1
    })
  }
  return out
}
