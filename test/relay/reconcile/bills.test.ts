import { describe, expect, it } from 'vitest'
import { parseAlipayBill, parseWechatBill } from '../../../src/relay/reconcile/bills'
import { matchBill } from '../../../src/relay/reconcile/match'

// The two bill formats as the providers write them, and the matching rules on planted differences.

export const ALIPAY_BILL = [
  '#支付宝业务明细查询',
  '#账号：[20880000000000000156]',
  '#起始日期：[2025年01月15日 00:00:00]   终止日期：[2025年01月16日 00:00:00]',
  '#-----------------------------------------业务明细列表----------------------------------------',
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注',
  '2025011522001100001,ORDER-A,交易,充值,2025-01-15 12:00:01,2025-01-15 12:00:09,,,,,buyer@example.com,100.00,100.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.60,0.00,',
  '2025011522001100002,ORDER-B,交易,"基础版, 月付",2025-01-15 13:00:01,2025-01-15 13:00:09,,,,,buyer@example.com,"1,029.00",29.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.17,0.00,',
  '2025011522001100001,ORDER-A,退款,充值,2025-01-15 12:00:01,2025-01-15 18:00:00,,,,,buyer@example.com,-20.00,-20.00,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,refund-0001,0.12,0.00,',
  '#-----------------------------------------业务明细列表结束------------------------------------',
  '#交易合计：2笔，商家实收共129.00元，商家优惠共0.00元',
  '#退款合计：1笔，商家实收退款共-20.00元，商家优惠退款共0.00元'
].join('\r\n')

export const WECHAT_BILL = [
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
  '`2025-01-15 12:00:09,`wx0000000000000001,`1900000001,`0,`,`4200000001202501150000000001,`ORDER-W1,`oUser1,`NATIVE,`SUCCESS,`OTHERS,`CNY,`50.00,`0.00,`0,`0,`0.00,`0.00,`,`,`充值,`,`0.30000,`0.60%,`50.00,`0.00,`',
  '`2025-01-15 15:00:00,`wx0000000000000001,`1900000001,`0,`,`4200000001202501150000000001,`ORDER-W1,`oUser1,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300000012025011500000001,`refund-w-1,`10.00,`0.00,`ORIGINAL,`SUCCESS,`充值,`,`-0.06000,`0.60%,`50.00,`10.00,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`2,`50.00,`10.00,`0.00,`0.24000,`50.00,`10.00'
].join('\n')

describe('provider bills', () => {
  it('reads Alipay\'s 业务明细: payments and refunds, quoted fields, thousands separators, comments', () => {
    expect(parseAlipayBill(ALIPAY_BILL)).toEqual([
      { provider: 'alipay', kind: 'payment', orderNo: 'ORDER-A', tradeNo: '2025011522001100001', refundId: null, amount: 10000, currency: 'CNY', time: '2025-01-15 12:00:09', line: 6 },
      { provider: 'alipay', kind: 'payment', orderNo: 'ORDER-B', tradeNo: '2025011522001100002', refundId: null, amount: 102900, currency: 'CNY', time: '2025-01-15 13:00:09', line: 7 },
      { provider: 'alipay', kind: 'refund', orderNo: 'ORDER-A', tradeNo: '2025011522001100001', refundId: '2025011522001100001:refund-0001', amount: 2000, currency: 'CNY', time: '2025-01-15 18:00:00', line: 8 }
    ])
  })

  it('reads WeChat Pay\'s 交易账单: backtick fields, SUCCESS and REFUND lines, the summary skipped', () => {
    expect(parseWechatBill(WECHAT_BILL).map((l) => [l.kind, l.orderNo, l.refundId, l.amount])).toEqual([
      ['payment', 'ORDER-W1', null, 5000],
      ['refund', 'ORDER-W1', '50300000012025011500000001', 1000]
    ])
  })

  it('refuses a file that is not the bill, naming what is missing', () => {
    expect(() => parseAlipayBill('a,b,c\n1,2,3')).toThrow(/not an Alipay trade bill/)
    expect(() => parseWechatBill('交易时间,微信订单号,商户订单号\n')).toThrow(/no column 交易状态/)
    expect(() => parseAlipayBill(ALIPAY_BILL.replace('100.00,100.00', 'abc,100.00'))).toThrow(/line 6/)
  })

  it('finds every planted difference, and none where the books agree', () => {
    const lines = parseAlipayBill(ALIPAY_BILL)
    const agree = matchBill(lines, {
      paid: new Map([['ORDER-A', 10000], ['ORDER-B', 102900]]),
      paidInPeriod: new Set(['ORDER-A', 'ORDER-B']),
      refunds: new Map([['2025011522001100001:refund-0001', { orderNo: 'ORDER-A', amount: 2000 }]]),
      refundsInPeriod: new Set(['2025011522001100001:refund-0001'])
    })
    expect(agree).toEqual([])
    const planted = matchBill([...lines, { ...lines[0]!, line: 99 }], {
      paid: new Map([['ORDER-A', 10000], ['ORDER-B', 2900], ['ORDER-C', 500]]),
      paidInPeriod: new Set(['ORDER-A', 'ORDER-B', 'ORDER-C']),
      refunds: new Map([['2025011522001100001:refund-0002', { orderNo: 'ORDER-A', amount: 700 }]]),
      refundsInPeriod: new Set(['2025011522001100001:refund-0002'])
    })
    expect(planted.map((d) => [d.kind, d.orderNo, d.billAmount, d.relayAmount])).toEqual([
      ['amount_differs', 'ORDER-B', 102900, 2900],
      ['refund_missing_here', 'ORDER-A', 2000, null],
      ['duplicate_in_bill', 'ORDER-A', 10000, 10000],
      ['missing_there', 'ORDER-C', null, 500],
      ['refund_missing_there', 'ORDER-A', null, 700]
    ])
  })
})
