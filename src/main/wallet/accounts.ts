import { PROVIDERS, type ProviderName } from '../../shared/catalog'
import type { Currency } from '../../shared/money'

// The ledger's accounts. Convention: balance = credits − debits, and all balances sum to zero.
// - wallet:     the user's spendable money (≥ 0)
// - clearing.*: one per payment provider; debited by recharges, credited by refunds
// - revenue:    credited by paid uses and settled holds
// - promotions: debited by first-free uses (the house pays them)
// - holds:      money reserved by pending holds (≥ 0)
// - debt:       debited when a refund exceeds the wallet; credited as recharges repay it (≤ 0)
// - bonus:      promotion credit (充值赠送) given with recharges (≥ 0): spent after the wallet's
//               cash, never refunded as cash; credited from promotions


export { PROVIDERS }
export type Provider = ProviderName

export type AccountKind = 'wallet' | 'revenue' | 'promotions' | 'holds' | 'debt' | 'bonus' | `clearing.${Provider}`

export const ACCOUNT_KINDS: readonly AccountKind[] = [
  'wallet',
  'revenue',
  'promotions',
  'holds',
  'debt',
  'bonus',
  ...PROVIDERS.map((p) => `clearing.${p}` as const)
]

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value)
}

/** Kind and currency contain no ':', so the owner may; the id stays unambiguous. */
export function accountId(kind: AccountKind, currency: Currency, owner: string): string {
  return `${kind}:${currency}:${owner}`
}

/** The ledger accounts one wallet (owner + currency) posts to. */
export interface WalletAccounts {
  readonly wallet: string
  readonly revenue: string
  readonly promotions: string
  readonly holds: string
  readonly debt: string
  readonly bonus: string
  clearing(provider: Provider): string
}

export function walletAccounts(owner: string, currency: Currency): WalletAccounts {
  const clearing = Object.fromEntries(PROVIDERS.map((p) => [p, accountId(`clearing.${p}`, currency, owner)]))
  return {
    wallet: accountId('wallet', currency, owner),
    revenue: accountId('revenue', currency, owner),
    promotions: accountId('promotions', currency, owner),
    holds: accountId('holds', currency, owner),
    debt: accountId('debt', currency, owner),
    bonus: accountId('bonus', currency, owner),
    clearing: (p) => clearing[p] as string
  }
}
