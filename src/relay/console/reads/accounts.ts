import { z } from 'zod'
import type { ConsoleAccountDetail, ConsoleAccountPage, ConsoleAccountSummary } from '../../../shared/console/api'
import { planRank } from '../../../shared/catalog/plans'
import { NotFound } from '../../../shared/errors'
import { normaliseTarget } from '../../auth/targets'
import type { AccountListRow } from '../../store/console-reads'
import type { GrantRow, IdentityKind, LedgerAccountRow, RelayStore, StoreTx } from '../../store/ports'
import { toConsoleOrder } from './orders'
import { CursorSchema, LimitSchema, paged } from './paging'

// The console's account screens: a search by account id prefix or by an identity (an email, a
// mobile number, a host app's subject, exactly as it signs in), newest account first; and one
// account's devices, plan grants, ledger balances, latest transfers and orders.

export const AccountQuerySchema = z.strictObject({
  q: z.string().trim().min(1).max(254).optional(),
  before: CursorSchema.optional(),
  limit: LimitSchema
})

const DETAIL_TRANSFERS = 50
const DETAIL_ORDERS = 20

/** The accounts an identity subject names: the text as an email, as a mobile number, as a host subject. */
async function identityMatches(tx: StoreTx, q: string): Promise<string[]> {
  const tries: [IdentityKind, string][] = [['host', q]]
  for (const method of ['email', 'sms'] as const) {
    try {
      tries.push([method, normaliseTarget(method, q)])
    } catch {
      // Not shaped as that kind of target: nothing of that kind to look up.
    }
  }
  const ids = new Set<string>()
  for (const [kind, subject] of tries) {
    const id = await tx.signIn.accountOf(kind, subject)
    if (id) ids.add(id)
  }
  return [...ids]
}

/** The best plan running now, as the lease gives it (grants/current: trials ride on their device, not the account). */
function planOf(grants: GrantRow[]): ConsoleAccountSummary['plan'] {
  const paid = grants.filter((g) => g.source !== 'trial')
  if (!paid.length) return null
  const best = paid.reduce((a, b) => (planRank(b.plan_code) > planRank(a.plan_code) ? b : a))
  return { planCode: best.plan_code, period: best.period, endsAt: best.ends_at }
}

function summary(a: AccountListRow, running: GrantRow[]): ConsoleAccountSummary {
  return { accountId: a.id, walletCurrency: a.walletCurrency, devices: a.devices, plan: planOf(running.filter((g) => g.account_id === a.id)), createdAt: a.createdAt }
}

export async function searchAccounts(store: RelayStore, now: number, query: unknown): Promise<ConsoleAccountPage> {
  const q = AccountQuerySchema.parse(query)
  return store.read(
    async (tx) => {
      const ids = q.q === undefined ? [] : await identityMatches(tx, q.q)
      const rows = await tx.consoleReads.accounts({
        ...(q.q !== undefined ? { idPrefix: q.q, ids } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
        limit: q.limit
      })
      const running = await tx.consoleReads.runningGrants(
        rows.map((r) => r.id),
        now
      )
      const page = paged(rows, q.limit, (r) => summary(r, running), (r) => ({ at: r.createdAt, key: r.id }))
      return { accounts: page.items, next: page.next }
    },
    { durable: true }
  )
}

/** A ledger account's balance on its own side: what the customer holds (wallet, promotion credit) or owes (receivable). */
function balanceOf(a: LedgerAccountRow): number {
  return a.kind === 'receivable' ? a.debitsPosted - a.creditsPosted : a.creditsPosted - a.debitsPosted
}

export async function accountDetail(store: RelayStore, now: number, accountId: string): Promise<ConsoleAccountDetail> {
  return store.read(
    async (tx) => {
      const [row] = await tx.consoleReads.accounts({ ids: [accountId], limit: 1 })
      if (!row) throw new NotFound('account', accountId.slice(0, 100))
      const r = tx.consoleReads
      const grants = await r.grantsOf(accountId)
      const running = grants.filter((g) => g.status === 'active' && g.starts_at <= now && (g.ends_at === null || g.ends_at > now))
      return {
        account: summary(row, running),
        identities: await tx.signIn.identities(accountId),
        devices: (await tx.accounts.devices(accountId)).map((d) => ({ deviceId: d.id, name: d.name, enrolledAt: d.enrolledAt, revokedAt: d.revokedAt })),
        grants: grants.map((g) => ({ grantId: g.id, source: g.source, planCode: g.plan_code, period: g.period, startsAt: g.starts_at, endsAt: g.ends_at, status: g.status })),
        balances: (await r.ledgerAccountsOf(accountId)).map((a) => ({ kind: a.kind, balance: { amount: balanceOf(a), currency: a.currency } })),
        transfers: (await r.transfersOf(accountId, DETAIL_TRANSFERS)).map((t) => ({ id: t.id, kind: t.kind, amount: { amount: t.amount, currency: t.currency }, sourceId: t.sourceId, at: t.at })),
        orders: (await r.orders({ accountId, limit: DETAIL_ORDERS })).map(toConsoleOrder)
      }
    },
    { durable: true }
  )
}
