import type Database from 'better-sqlite3'

/** The relay's wallet less debt for an account, read from its ledger (what devices are told). */
export function relayNetWallet(sqlite: Database.Database, accountId: string, currency = 'CNY'): number {
  const side = sqlite.prepare<[string], { d: number; c: number }>('SELECT debits_posted AS d, credits_posted AS c FROM ledger_accounts WHERE id = ?')
  const wallet = side.get(`wallet:${accountId}:${currency}`)
  const receivable = side.get(`receivable:${accountId}:${currency}`)
  return (wallet ? wallet.c - wallet.d : 0) - (receivable ? receivable.d - receivable.c : 0)
}

/** The account's promotion credit (recharge bonuses) on the relay's ledger: credits − debits. */
export function relayBonus(sqlite: Database.Database, accountId: string, currency = 'CNY'): number {
  const row = sqlite.prepare<[string], { d: number; c: number }>('SELECT debits_posted AS d, credits_posted AS c FROM ledger_accounts WHERE id = ?').get(`bonus:${accountId}:${currency}`)
  return row ? row.c - row.d : 0
}
