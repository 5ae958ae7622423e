import type { Currency } from '../../shared/money'
import type { BillingPeriod, PlanCode } from '../../shared/relay-contract'
import type { ProviderName } from '../providers/types'

// The chart of accounts (docs/architecture.md, "Money on the relay"). An account is per currency,
// and per customer account where the money is the customer's. Its normal side says which way its
// balance grows: a liability or revenue grows by credits, an asset or expense by debits.

export type LedgerAccountKind =
  | 'customer_wallet' // prepaid money: a liability until spent
  | 'promotion_credit' // recharge bonuses (充值赠送) not spent yet: spent after cash, never refunded as cash
  | 'receivable' // what a customer owes (debt from spending offline beyond the wallet)
  | 'provider_clearing' // money held at a payment provider for us
  | 'revenue_plan' // subscriptions sold, per plan and period
  | 'revenue_usage' // paid uses charged from the wallet (AI requests, live rooms, …)
  | 'promotion' // first-free uses given away (contra-revenue)
  | 'refunds' // subscription money given back (contra-revenue)
  | 'discounts' // coupons (contra-revenue; coupons issue)
  | 'tax_payable' // tax collected for the state (invoices issue)
  | 'opening_balance' // equity: wallet balances carried over from before the ledger

export const NORMAL_SIDE: Record<LedgerAccountKind, 'debit' | 'credit'> = {
  customer_wallet: 'credit',
  promotion_credit: 'credit',
  receivable: 'debit',
  provider_clearing: 'debit',
  revenue_plan: 'credit',
  revenue_usage: 'credit',
  promotion: 'debit',
  refunds: 'debit',
  discounts: 'debit',
  tax_payable: 'credit',
  opening_balance: 'credit'
}

export interface LedgerAccountRef {
  id: string
  kind: LedgerAccountKind
  customerAccountId: string | null
  currency: Currency
}

const own = (kind: LedgerAccountKind, id: string, currency: Currency): LedgerAccountRef => ({ id, kind, customerAccountId: null, currency })
const customers = (kind: LedgerAccountKind, prefix: string, accountId: string, currency: Currency): LedgerAccountRef => ({
  id: `${prefix}:${accountId}:${currency}`,
  kind,
  customerAccountId: accountId,
  currency
})

export const chart = {
  wallet: (accountId: string, currency: Currency) => customers('customer_wallet', 'wallet', accountId, currency),
  receivable: (accountId: string, currency: Currency) => customers('receivable', 'receivable', accountId, currency),
  clearing: (provider: ProviderName, currency: Currency) => own('provider_clearing', `clearing:${provider}:${currency}`, currency),
  planRevenue: (planCode: PlanCode, period: BillingPeriod, currency: Currency) =>
    own('revenue_plan', `revenue:plan:${planCode}:${period}:${currency}`, currency),
  usageRevenue: (currency: Currency) => own('revenue_usage', `revenue:usage:${currency}`, currency),
  firstFree: (currency: Currency) => own('promotion', `promotions:first_free:${currency}`, currency),
  refunds: (currency: Currency) => own('refunds', `refunds:${currency}`, currency),
  discounts: (currency: Currency) => own('discounts', `discounts:${currency}`, currency),
  bonus: (accountId: string, currency: Currency) => customers('promotion_credit', 'bonus', accountId, currency),
  rechargeBonus: (currency: Currency) => own('promotion', `promotions:recharge_bonus:${currency}`, currency),
  taxPayable: (currency: Currency) => own('tax_payable', `tax_payable:${currency}`, currency),
  opening: (currency: Currency) => own('opening_balance', `opening:${currency}`, currency)
}

/** One line per kind of transfer; docs/architecture.md lists what each debits and credits. */
export type TransferKind =
  | 'payment' // a provider's payment: clearing → wallet (recharge) or plan revenue
  | 'refund' // a provider's refund: wallet → clearing (recharge) or refunds → clearing (plan)
  | 'wallet_debit' // a device's paid use: wallet → usage revenue
  | 'subscription_purchase' // a plan bought from the wallet on a device: wallet → plan revenue
  | 'first_free' // the account's one free use: promotions → usage revenue, at its price
  | 'first_free_lost' // a second device's free use, charged: wallet → usage revenue
  | 'debt' // a spend beyond the wallet: receivable → wallet, the shortfall only
  | 'debt_repayment' // money arriving while in debt: wallet → receivable
  | 'opening_balance' // migration 0004: the wallet column carried over
  | 'discount' // a coupon's discount: discounts → plan revenue (or the wallet, for a recharge)
  | 'recharge_bonus' // a recharge's bonus: promotions → the account's promotion credit
  | 'bonus_spend' // promotion credit spent where the wallet's cash ran out: promotion credit → wallet
  | 'bonus_withdrawn' // a refunded recharge takes its bonus back: promotion credit (or, if spent, the wallet) → promotions
  | 'vat' // the VAT in a plan's invoice: plan revenue → tax payable
  | 'vat_reversal' // the VAT of a credit note on such an invoice: tax payable → refunds
