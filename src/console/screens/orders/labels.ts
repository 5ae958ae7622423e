import type { OrderState } from '../../../shared/relay-contract'
import { PROVIDERS } from '../../../shared/catalog/providers'
import type { T } from '../../i18n'
import { messages, type OrdersKey } from './messages'

// Codes the relay answers, in the console's words (the code itself when the console does not know it).

export const ORDER_STATES = ['created', 'pending', 'paid', 'partially_refunded', 'refunded', 'failed', 'expired', 'cancelled'] as const satisfies readonly OrderState[]
export { PROVIDERS }

const known = (key: string): key is OrdersKey => key in messages['zh-CN']

export const providerLabel = (t: T<OrdersKey>, p: string): string => (known(`orders.provider.${p}`) ? t(`orders.provider.${p}` as OrdersKey) : p)
export const stateLabel = (t: T<OrdersKey>, s: string): string => (known(`orders.state.${s}`) ? t(`orders.state.${s}` as OrdersKey) : s)
export const refundStateLabel = (t: T<OrdersKey>, s: string): string => (known(`orders.refundState.${s}`) ? t(`orders.refundState.${s}` as OrdersKey) : s)

/** A code the relay answers under `prefix` (transfer kind, notification type or outcome), in words when known. */
export const codeLabel = (t: T<OrdersKey>, prefix: 'transfer' | 'event' | 'outcome', code: string): string =>
  known(`orders.${prefix}.${code}`) ? t(`orders.${prefix}.${code}` as OrdersKey) : code
