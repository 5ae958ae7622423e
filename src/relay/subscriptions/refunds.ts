import type { GrantRow, StoreTx } from '../store/ports'
import type { Grants } from './grants'

// What a full refund of an order takes back, decided here from the relay's own grants and sent
// as explicit effects (docs/sync.md, "Refunds"); the devices apply them and derive nothing:
// - the order's grant is revoked; the time it paid for that is still ahead is taken out of its
//   run of back-to-back grants (later grants of the run move earlier by as much), so the time
//   other payments bought is kept. The record's `accessUntil` is when the plan's access now
//   ends (≤ now: ended now, e.g. the order alone paid for it), and it no longer renews; null
//   when nothing ahead was the order's (its grant ended already): access is not changed.
// - time carried over from the order's grant into another plan's at a switch is taken back
//   from that grant (a 'shortened' record of it with accessUntil, when the order's grant alone
//   was carried into it; mixed with other grants' time, it stays).
// - a lifetime grant ends now.

export async function revokeForOrder(grants: Grants, tx: StoreTx, accountId: string, orderId: string, orderNo: string, now: number): Promise<void> {
  const g = await tx.grants.byOrder(orderId)
  if (!g || g.status === 'revoked') return
  if (g.status === 'replaced') {
    await tx.grants.update(g.id, { status: 'revoked', startsAt: g.starts_at, endsAt: g.ends_at })
    await grants.announce(tx, accountId, { ...g, status: 'revoked' }, orderNo, null)
    for (const into of await tx.grants.carriedFrom(accountId, g.id)) {
      if (into.status !== 'active' || into.carried_from !== g.id || into.carried_ms <= 0) continue
      const until = await takeOut(tx, accountId, into, into.carried_ms, now, { carriedMs: 0 })
      await grants.announce(tx, accountId, { ...into, ends_at: until }, await grants.orderNoOf(tx, into), until, 'shortened')
    }
    return
  }
  if (g.ends_at === null) {
    await tx.grants.update(g.id, { status: 'revoked', startsAt: g.starts_at, endsAt: now })
    await grants.announce(tx, accountId, { ...g, ends_at: now, status: 'revoked' }, orderNo, now)
    return
  }
  // Ahead of now, of the grant's own paid span (time carried into it was paid by others).
  const own = g.ends_at - g.starts_at - g.carried_ms
  const ahead = Math.max(0, Math.min(g.ends_at - Math.max(g.starts_at, now), own))
  if (ahead === 0) {
    await tx.grants.update(g.id, { status: 'revoked', startsAt: g.starts_at, endsAt: g.ends_at })
    await grants.announce(tx, accountId, { ...g, status: 'revoked' }, orderNo, null)
    return
  }
  const until = await takeOut(tx, accountId, g, ahead, now, { status: 'revoked' })
  await grants.announce(tx, accountId, { ...g, ends_at: g.ends_at - ahead, status: 'revoked' }, orderNo, until)
}

/**
 * Takes `ms` out of grant `g` (its end moves earlier) and moves every later grant of its run
 * as much earlier. Returns when the run now ends.
 */
async function takeOut(
  tx: StoreTx,
  accountId: string,
  g: GrantRow,
  ms: number,
  now: number,
  patch: { status?: GrantRow['status']; carriedMs?: number }
): Promise<number> {
  const end = g.ends_at!
  // Never before now: time already used stays used.
  ms = Math.max(0, Math.min(ms, end - Math.max(g.starts_at, now)))
  await tx.grants.update(g.id, { status: patch.status ?? g.status, startsAt: g.starts_at, endsAt: end - ms, ...(patch.carriedMs === undefined ? {} : { carriedMs: patch.carriedMs }) })
  let runEnd = end - ms
  let at = end
  const rest = (await tx.grants.ofPlan(accountId, g.plan_code)).filter((r) => r.id !== g.id && r.starts_at >= end)
  for (const r of rest) {
    if (r.starts_at !== at) break
    at = r.ends_at!
    runEnd = r.ends_at! - ms
    await tx.grants.update(r.id, { status: r.status, startsAt: r.starts_at - ms, endsAt: runEnd })
  }
  return Math.max(now, runEnd)
}
