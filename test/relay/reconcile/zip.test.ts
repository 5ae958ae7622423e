import { deflateRawSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { readZip } from '../../../src/relay/reconcile/zip'
import { encodeGbk, zipGbk } from '../fakes/bill-files'

// The bill archive reader: GBK names, deflated entries, and archives it must refuse.

it('reads deflated entries with GBK names', () => {
  const zip = zipGbk([
    { name: '2088_20250114_业务明细.csv', data: encodeGbk('支付宝交易号,商户订单号\r\n') },
    { name: '2088_20250114_业务明细(汇总).csv', data: Buffer.from('#\r\n') }
  ])
  const entries = readZip(zip)
  expect(entries.map((e) => e.name)).toEqual(['2088_20250114_业务明细.csv', '2088_20250114_业务明细(汇总).csv'])
  expect(new TextDecoder('gbk').decode(entries[0]!.data)).toBe('支付宝交易号,商户订单号\r\n')
})

it('refuses what is not a readable archive, naming why', () => {
  expect(() => readZip(Buffer.from('支付宝交易号,商户订单号'))).toThrow(/no zip directory/)
  const zip = zipGbk([{ name: 'a.csv', data: Buffer.from('hello') }])
  // The directory claims another size than the entry inflates to.
  const wrongSize = Buffer.from(zip)
  const dir = wrongSize.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
  wrongSize.writeUInt32LE(6, dir + 24)
  expect(() => readZip(wrongSize)).toThrow(/not the size its directory says/)
  // An entry whose deflated bytes are broken.
  const broken = Buffer.from(zip)
  const packed = deflateRawSync(Buffer.from('hello')).length
  broken.fill(0xff, 30 + 5, 30 + 5 + packed)
  expect(() => readZip(broken)).toThrow(/does not inflate/)
  // A declared size past the cap is refused before anything is inflated.
  const huge = Buffer.from(zip)
  huge.writeUInt32LE(0x7fffffff, dir + 24)
  expect(() => readZip(huge)).toThrow(/larger than/)
})
