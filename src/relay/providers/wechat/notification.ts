import { z } from 'zod'
import { money, type Money } from '../../../shared/money'
import { NotificationRejected, type NotificationInput, type ProviderEvent } from '../types'
import { decryptResource } from './aead'
import type { WechatConfig } from './config'
import { readSignedHeaders, verifyWechatSignature, type PlatformKey } from './signature'

// WeChat Pay v3 notification: a signed JSON envelope whose `resource` is encrypted with the
// APIv3 key. Order: signature and window on the raw body, envelope shape, decryption with
// tag check, merchant check, then mapping.

const envelopeSchema = z.object({
  id: z.string().min(1),
  create_time: z.string().optional(),
  event_type: z.string().min(1),
  resource_type: z.string().optional(),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional(),
    original_type: z.string().optional()
  })
})

const minor = z.number().int().positive()

const transactionSchema = z.object({
  mchid: z.string(),
  appid: z.string().optional(),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().optional(),
  trade_state: z.string(),
  trade_state_desc: z.string().optional(),
  success_time: z.string().optional(),
  amount: z.object({ total: minor, currency: z.string().default('CNY') }).optional()
})

const refundSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  refund_id: z.string().min(1),
  out_refund_no: z.string().optional(),
  refund_status: z.string(),
  success_time: z.string().optional(),
  amount: z.object({ refund: minor, total: minor.optional(), currency: z.string().default('CNY') })
})

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value)
  if (!r.success) throw new NotificationRejected('malformed', `${what}: ${r.error.issues[0]?.message ?? 'invalid'}`)
  return r.data
}

function amountOf(total: number, currency: string): Money {
  try {
    return money(total, currency)
  } catch {
    throw new NotificationRejected('malformed', 'amount or currency is not supported')
  }
}

function time(text: string | undefined, fallback: number): number {
  const t = text ? Date.parse(text) : NaN
  return Number.isFinite(t) ? t : fallback
}

export function verifyAndMapWechatNotification(
  config: WechatConfig,
  keys: PlatformKey[],
  input: NotificationInput
): ProviderEvent[] {
  const signed = readSignedHeaders(input.headers)
  verifyWechatSignature(keys, signed, input.rawBody, input.receivedAt, config.timestampToleranceSeconds)

  let json: unknown
  try {
    json = JSON.parse(input.rawBody.toString('utf8'))
  } catch {
    throw new NotificationRejected('malformed', 'body is not JSON')
  }
  const envelope = parse(envelopeSchema, json, 'envelope')
  if (envelope.resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new NotificationRejected('malformed', `unsupported algorithm ${envelope.resource.algorithm}`)
  }
  const plaintext = decryptResource(envelope.resource, config.apiV3Key)
  let resource: unknown
  try {
    resource = JSON.parse(plaintext)
  } catch {
    throw new NotificationRejected('malformed', 'decrypted resource is not JSON')
  }
  const eventId = envelope.id
  const fallbackTime = time(envelope.create_time, input.receivedAt)

  if (envelope.event_type.startsWith('TRANSACTION.')) {
    const tx = parse(transactionSchema, resource, 'transaction')
    if (tx.mchid !== config.mchId) throw new NotificationRejected('wrong_merchant', 'mchid is not ours')
    if (tx.appid !== undefined && tx.appid !== config.appId) {
      throw new NotificationRejected('wrong_merchant', 'appid is not ours')
    }
    const orderNo = tx.out_trade_no
    switch (tx.trade_state) {
      case 'SUCCESS': {
        if (!tx.amount || !tx.transaction_id) {
          throw new NotificationRejected('malformed', 'a successful transaction needs amount and transaction_id')
        }
        return [
          {
            type: 'payment.succeeded',
            eventId,
            orderNo,
            providerPaymentId: tx.transaction_id,
            amount: amountOf(tx.amount.total, tx.amount.currency),
            occurredAt: time(tx.success_time, fallbackTime)
          }
        ]
      }
      case 'CLOSED':
      case 'REVOKED':
        return [{ type: 'checkout.expired', eventId, orderNo, occurredAt: fallbackTime }]
      case 'PAYERROR':
        return [
          { type: 'payment.failed', eventId, orderNo, reason: tx.trade_state_desc ?? 'PAYERROR', occurredAt: fallbackTime }
        ]
      default:
        return [{ type: 'ignored', eventId, reason: `trade_state ${tx.trade_state}` }]
    }
  }

  if (envelope.event_type.startsWith('REFUND.')) {
    const refund = parse(refundSchema, resource, 'refund')
    if (refund.mchid !== config.mchId) {
      throw new NotificationRejected('wrong_merchant', 'mchid is not ours')
    }
    // REFUND.CLOSED: the refund is over and no money reached the payer, so the operator's
    // request is failed. REFUND.ABNORMAL is not over: the merchant redirects that same refund in
    // the merchant platform and its REFUND.SUCCESS follows, so it is ignored (still in flight).
    if (envelope.event_type === 'REFUND.CLOSED' && refund.refund_status !== 'SUCCESS') {
      return [{ type: 'refund.failed', eventId: `${refund.refund_id}:failed`, orderNo: refund.out_trade_no, refundId: refund.refund_id, reason: `${envelope.event_type} ${refund.refund_status}`, occurredAt: fallbackTime }]
    }
    if (envelope.event_type !== 'REFUND.SUCCESS' || refund.refund_status !== 'SUCCESS') {
      return [{ type: 'ignored', eventId, reason: `${envelope.event_type} ${refund.refund_status}` }]
    }
    return [
      {
        type: 'refund.succeeded',
        eventId,
        orderNo: refund.out_trade_no,
        refundId: refund.refund_id,
        amount: amountOf(refund.amount.refund, refund.amount.currency),
        occurredAt: time(refund.success_time, fallbackTime)
      }
    ]
  }

  return [{ type: 'ignored', eventId, reason: `event_type ${envelope.event_type}` }]
}
