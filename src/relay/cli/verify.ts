import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkBooks, type LedgerReport } from '../ledger/verify'
import { openConfiguredStore } from './store'

// `npm run relay:verify`: recomputes the relay's books from its configured database (the same
// environment as `npm run relay`) and says whether they hold. Exit 0 when they do; 1 with the
// first breaks when anything disagrees; 2 when there is nothing to check.

const SHOWN = 20

export async function runVerify(env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<0 | 1 | 2> {
  const opened = await openConfiguredStore(env, out, 'relay:verify', 'set RELAY_DB_PATH or RELAY_DATA_DIR, or RELAY_DATABASE_URL')
  if (opened === 2) return 2
  const { store, where } = opened
  let report: LedgerReport
  try {
    report = await store.read((tx) => checkBooks(tx))
  } finally {
    await store.close()
  }
  out(`relay:verify: ${where}`)
  out(`  ${report.accounts} ledger accounts, ${report.transfers} transfers`)
  for (const [currency, t] of Object.entries(report.totals)) out(`  ${currency}: debits ${t.debits}, credits ${t.credits}`)
  if (report.ok) {
    out('  the books hold: every balance equals its transfers, every paid order and refund has its one transfer')
    return 0
  }
  out(`  ${report.breaks.length} break(s)${report.breaks.length > SHOWN ? `, the first ${SHOWN}` : ''}:`)
  for (const b of report.breaks.slice(0, SHOWN)) out(`  - ${b}`)
  return 1
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  void runVerify(process.env, (line) => process.stdout.write(`${line}\n`)).then((code) => process.exit(code))
}
