import type { StoreTx } from '../../ports'
import type { Sql } from '../sql'
import { pgAccounts } from './accounts'
import { pgAudit } from './audit'
import { pgCatalog } from './catalog'
import { pgCoupons } from './coupons'
import { pgFeed } from './feed'
import { pgGrants } from './grants'
import { pgInvoices } from './invoices'
import { pgJobs } from './jobs'
import { pgLeases } from './leases'
import { pgLedger } from './ledger'
import { pgNotices } from './notices'
import { pgNotifications } from './notifications'
import { pgOperators } from './operators'
import { pgOrders } from './orders'
import { pgRefundRequests } from './refund-requests'
import { pgReconciliation } from './reconciliation'
import { pgConsoleReads } from './console-reads'
import { pgOutbox } from './outbox'
import { pgSignIn } from './sign-in'
import { pgTrials } from './trials'

// Every repository over one connection (a unit's, a read's). A new repository in ports.ts is one
// file in this folder and one line here (its tables in ../schema.ts, then db:generate:relay-pg).
export const pgRepos = (q: Sql): Omit<StoreTx, 'nested' | 'readAhead'> => ({
  accounts: pgAccounts(q),
  signIn: pgSignIn(q),
  orders: pgOrders(q),
  feed: pgFeed(q),
  outbox: pgOutbox(q),
  grants: pgGrants(q),
  jobs: pgJobs(q),
  trials: pgTrials(q),
  catalog: pgCatalog(q),
  leases: pgLeases(q),
  notifications: pgNotifications(q),
  ledger: pgLedger(q),
  coupons: pgCoupons(q),
  notices: pgNotices(q),
  invoices: pgInvoices(q),
  operators: pgOperators(q),
  audit: pgAudit(q),
  refundRequests: pgRefundRequests(q),
  reconciliation: pgReconciliation(q),
  consoleReads: pgConsoleReads(q)
})
