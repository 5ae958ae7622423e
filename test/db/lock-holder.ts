// Child process of lock.test.ts: `node --import tsx test/db/lock-holder.ts <dbPath>` opens the
// billing file, prints "ready" (or the error code it was refused with) and waits to be killed.
import { createBilling } from '../../src/main/billing'
import { BillingError } from '../../src/shared/errors'

const [dbPath] = process.argv.slice(2)
if (!dbPath) throw new Error('usage: lock-holder.ts <dbPath>')
try {
  const billing = createBilling({ dbPath, durability: 'normal' })
  billing.wallet.recharge({ key: `child-${process.pid}`, paymentId: `p-${process.pid}`, provider: 'alipay', amount: 100 })
  process.stdout.write('ready\n')
  setInterval(() => undefined, 60_000)
} catch (err) {
  process.stdout.write(`refused ${err instanceof BillingError ? err.code : String(err)}\n`)
  process.exit(3)
}
