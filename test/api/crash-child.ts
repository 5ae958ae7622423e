import { createBillingModule } from '../../src/main'

// A host process that begins a live session, reports its quote, and waits to be killed.
// argv: dataDir, 'quote' (begin only) or 'live' (begin and confirm).
const [dataDir, step] = process.argv.slice(2)
const m = createBillingModule({ dataDir: dataDir ?? '', startSync: false, logger: { info() {}, warn() {}, error() {} } })
const q = m.live.start({ key: 'crash-live-1' })
const confirmed = step === 'live' ? q.confirm() : null
process.stdout.write(`${JSON.stringify({ quote: q.decision, confirmed, balance: m.balance() })}\n`)
setInterval(() => {}, 1_000)
