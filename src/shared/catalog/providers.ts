// The payment providers the module speaks. Which of them a relay has configured is its own
// answer (GET /health, prices); this list is what may ever appear in an order or a wallet
// clearing account.

export const PROVIDERS = ['alipay', 'wechat', 'stripe', 'paypal'] as const
export type ProviderName = (typeof PROVIDERS)[number]

export function isProvider(p: unknown): p is ProviderName {
  return typeof p === 'string' && (PROVIDERS as readonly string[]).includes(p)
}
