import { Wallet } from '../wallet'
import { shortfall } from '../../shared/billing/shortfall'
import type {
  ChargeInput,
  ChargeOutcome,
  ConsumeInput,
  ConsumeResult,
  FirstFreeInput,
  FirstFreeResult,
  HoldInput,
  HoldResult,
  MoneyInput,
  WalletDeps
} from '../wallet'
import { OfflineAllowanceExceeded, PaidUsePaused } from './errors'

// The wallet with the sync layer's rules in front of paid use (docs/sync.md):
// - untrusted (clock moved back, edited ledger or lease): no paid use until the next sync;
// - the offline bound: a debit must fit what this device last saw from the relay minus its
//   own spending the relay has not echoed yet (the local balance says the same when the file
//   is intact; this check holds even when the balance cache was edited);
// First-free once per account needs no gate here: a claim the relay accepted from another
// device is recorded in the wallet (markFirstFreeTakenElsewhere), so firstFreeUsed() says so.
// A key used before still replays its first result (idempotency beats the gate).

export interface PaidUseGate {
  /** Sticky warnings that stop paid use; empty when trusted. */
  blocking(): string[]
  /** Spendable by the offline bound, or null when the device is not enrolled (no bound). */
  allowance(): number | null
}

export class GatedWallet extends Wallet {
  constructor(
    deps: WalletDeps,
    private readonly gate: PaidUseGate
  ) {
    super(deps)
  }

  override consume(input: ConsumeInput): ConsumeResult {
    if (!this.replay(input.key)) this.assertSpend(input.amount)
    return super.consume(input)
  }

  override hold(input: HoldInput): HoldResult {
    if (!this.replay(input.key)) this.assertSpend(input.amount)
    return super.hold(input)
  }

  override useFirstFree(input: FirstFreeInput): FirstFreeResult {
    if (!this.replay(input.key)) this.assertTrusted()
    return super.useFirstFree(input)
  }

  override chargeOrFree(input: ChargeInput): ChargeOutcome {
    if (this.replay(input.key)) return super.chargeOrFree(input)
    this.assertTrusted()
    const price = this.minor(input.price)
    // The cash and then promotion credit, as the base rule draws on them.
    const balance = this.spendable().amount
    const debt = this.debt().amount
    const allowance = this.gate.allowance()
    const spendable = allowance === null ? balance : Math.min(balance, allowance)
    const covered = debt === 0 && spendable >= price
    const freeOpen = !this.firstFreeUsed()
    // The base rule pays when the balance covers the price, else uses first-free; step in
    // only where this gate says otherwise.
    if (covered || (freeOpen && !(debt === 0 && balance >= price))) return super.chargeOrFree(input)
    return {
      outcome: 'needs_recharge',
      price: { amount: price, currency: this.currency },
      // The allowance already has the debt taken out: the larger of the two answers, not their sum.
      shortfall: { amount: Math.max(1, shortfall(debt, price, balance), allowance === null ? 0 : price - allowance), currency: this.currency },
      balance: this.balance(),
      debt: { amount: debt, currency: this.currency }
    }
  }

  /** A key used before: the base class answers with its first result (or a conflict). */
  private replay(key: string): boolean {
    return this.usedKey(key)
  }

  private minor(m: MoneyInput): number {
    return typeof m === 'number' ? m : m.amount
  }

  private assertTrusted(): void {
    const w = this.gate.blocking()
    if (w.length > 0) throw new PaidUsePaused(w)
  }

  private assertSpend(amount: MoneyInput): void {
    this.assertTrusted()
    // While a debt is owed the wallet itself refuses, with the shortfall that counts the debt.
    if (this.debt().amount > 0) return
    const allowance = this.gate.allowance()
    const required = this.minor(amount)
    if (allowance !== null && Number.isSafeInteger(required) && required > allowance) {
      throw new OfflineAllowanceExceeded({
        balance: Math.max(0, allowance),
        required,
        shortfall: required - Math.max(0, allowance),
        currency: this.currency
      })
    }
  }
}
