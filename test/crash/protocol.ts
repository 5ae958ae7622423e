// The lines the crash workload writes to stdout, one JSON object per line. The parent trusts
// only what a line says had RETURNED: `begin` names the operation about to run (the one that
// may be in flight when the kill lands), `ok` / `rejected` say how it ended.

/** What the child saw right after an operation returned (wallet head and balances, minor units). */
export interface LedgerView {
  /** Highest wallet_entries.seq: every entry up to it was committed before the line was written. */
  seq: number
  /** Wallet balance. */
  W: number
  /** Money in pending holds. */
  H: number
}

export const OP_KINDS = [
  'recharge',
  'consume',
  'hold',
  'settle',
  'void',
  'chargeOrFree',
  'quotaConsume',
  'acquire',
  'release',
  'subscribe',
  'cancel',
  'sweep',
  'sync'
] as const
export type OpKind = (typeof OP_KINDS)[number]

export type Line =
  | ({ t: 'ready'; at: number } & LedgerView)
  | { t: 'begin'; i: number; kind: OpKind; key: string; req: unknown; at: number }
  | ({ t: 'ok'; i: number; kind: OpKind; key: string; req: unknown; result: unknown; at: number } & LedgerView)
  | { t: 'rejected'; i: number; kind: OpKind; key: string; code: string; at: number }
  | { t: 'done' }

export function parseLines(text: string): Line[] {
  const parts = text.split('\n')
  // Whatever follows the last newline was never completed, so it reported nothing.
  parts.pop()
  return parts.filter((l) => l.length > 0).map((l) => JSON.parse(l) as Line)
}
