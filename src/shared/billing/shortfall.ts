/**
 * What a recharge must bring for a price to be paid from the wallet: the debt first (a recharge
 * repays it, and promotion credit never does), then what the cash and promotion credit
 * (`spendable`) lack. One rule for the app's wallet, its gate and reminders, and the relay's.
 */
export function shortfall(debt: number, price: number, spendable: number): number {
  return debt + Math.max(0, price - spendable)
}
