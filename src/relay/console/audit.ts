import type { IdSource } from '../../node/ids'
import type { AuditEntry, RelayStore, StoreTx } from '../store/ports'

// The audit log: every operator action is one entry, written inside the unit that does the
// action (a unit re-run on PostgreSQL writes it again with the rest, never twice), so the log
// holds exactly what committed. The tables refuse UPDATE and DELETE (migrations 0013 / pg 0003).

/** Who acts: an operator of the console, or the command line. */
export interface Actor {
  operatorId: string | null
  /** The operator's email, or "cli". */
  name: string
  address: string | null
}

export const CLI_ACTOR: Actor = { operatorId: null, name: 'cli', address: null }

export interface AuditDeps {
  ids: IdSource
  now: () => number
}

export async function audit(
  tx: StoreTx,
  deps: AuditDeps,
  actor: Actor,
  action: string,
  target: string | null,
  change: { before?: unknown; after?: unknown } = {}
): Promise<void> {
  await tx.audit.record({
    id: deps.ids.next(),
    at: deps.now(),
    operatorId: actor.operatorId,
    actor: actor.name,
    action,
    target,
    address: actor.address,
    before: change.before === undefined ? null : JSON.stringify(change.before),
    after: change.after === undefined ? null : JSON.stringify(change.after)
  })
}

const CSV_COLUMNS = ['seq', 'time (UTC)', 'actor', 'action', 'target', 'address', 'before', 'after'] as const

/** A field as CSV wants it; a leading =, +, - or @ is quoted away so a spreadsheet never runs it as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The entries as CSV for Excel: UTF-8 with a byte-order mark, CRLF line ends. */
export function auditCsv(entries: (AuditEntry & { seq: number })[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const e of entries) {
    lines.push(
      [String(e.seq), new Date(e.at).toISOString(), e.actor, e.action, e.target ?? '', e.address ?? '', e.before ?? '', e.after ?? ''].map(csvField).join(',')
    )
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

/**
 * The store as one operator action sees it: each unit run through it also appends the action's
 * audit entry, described from the unit's result, in the same transaction. For domain functions
 * that take a store and run one unit (a validation error before it writes nothing, and no entry).
 */
export function auditedStore<R>(
  store: RelayStore,
  deps: AuditDeps,
  actor: Actor,
  action: string,
  describe: (result: R) => { target: string | null; before?: unknown; after?: unknown }
): RelayStore {
  return {
    unit: (work) =>
      store.unit(async (tx) => {
        const result = await work(tx)
        const d = describe(result as unknown as R)
        await audit(tx, deps, actor, action, d.target, d)
        return result
      }),
    unitGrouped: (work) => store.unitGrouped(work),
    unitUnsynced: (work) => store.unitUnsynced(work),
    read: (work, opts) => store.read(work, opts),
    whenSlotFree: (commit) => store.whenSlotFree(commit),
    whenDurable: () => store.whenDurable(),
    close: () => store.close()
  }
}
