import { readFileSync } from 'node:fs'
import { ZodError } from 'zod'
import { systemClock, type Clock } from '../../node/clock'
import { pooledRandomIds } from '../../node/ids'
import { BillingError } from '../../shared/errors'
import { ConfigError, loadConfig } from '../config/config'
import { addPromotionCode, createCoupon, deactivateCoupon, grantCoupon, listCoupons } from '../coupons/admin'
import { Coupons } from '../coupons/coupons'
import { JobRunner } from '../jobs/runner'
import { Feed } from '../feed/feed'
import { loadOrCreateDevKey, parseSigningKey } from '../feed/keys'
import { openConfiguredStore } from './store'

// `npm run relay -- coupon create|code|grant|deactivate|list …`: the coupon admin functions
// (src/relay/coupons/admin.ts) over the configured relay database, as `catalog publish` is.
// Exit 0 done (one line, or the list as JSON); 1 refused (each field and reason, nothing
// written); 2 usage, configuration or no database.
// A grant or deactivation writes the account's feed from this process: the relay's feed
// numbering re-reads its next number when a row took it meanwhile (store/sqlite/repos/feed.ts).

const USAGE = [
  'usage: npm run relay -- coupon create <coupon.json>',
  '       npm run relay -- coupon code <couponId> <CODE> [--limit N] [--per-account N] [--until <ISO date>]',
  '       npm run relay -- coupon grant <couponId> <accountId> [--until <ISO date>]',
  '       npm run relay -- coupon deactivate <couponId>',
  '       npm run relay -- coupon list'
].join('\n')

function options(args: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!
    const v = args[i + 1]
    if (!k.startsWith('--') || v === undefined) return undefined
    out[k.slice(2)] = v
  }
  return out
}

const instant = (s: string | undefined) => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : Date.parse(s))
const int = (s: string | undefined) => (s === undefined ? undefined : Number(s))

export async function runCoupon(args: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void, clock: Clock = systemClock): Promise<0 | 1 | 2> {
  const [command, ...rest] = args
  let config
  try {
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      out(`coupon: invalid configuration: ${err.message}`)
      return 2
    }
    throw err
  }
  let run: ((d: Parameters<typeof createCoupon>[0]) => Promise<unknown>) | undefined
  if (command === 'create' && rest.length === 1) {
    let input: unknown
    try {
      input = JSON.parse(readFileSync(rest[0]!, 'utf8'))
    } catch (err) {
      out(`coupon: cannot read ${rest[0]}: ${(err as Error).message}`)
      return 2
    }
    run = (d) => createCoupon(d, input)
  } else if (command === 'code' && rest.length >= 2) {
    const o = options(rest.slice(2))
    if (o) run = (d) => addPromotionCode(d, rest[0]!, { code: rest[1], totalLimit: int(o['limit']), perAccountLimit: int(o['per-account']), validUntil: instant(o['until']) })
  } else if (command === 'grant' && rest.length >= 2) {
    const o = options(rest.slice(2))
    if (o) run = (d) => grantCoupon(d, rest[0]!, { accountId: rest[1], validUntil: instant(o['until']) })
  } else if (command === 'deactivate' && rest.length === 1) {
    run = (d) => deactivateCoupon(d, rest[0]!)
  } else if (command === 'list' && rest.length === 0) {
    run = (d) => listCoupons(d)
  }
  if (!run) {
    out(USAGE)
    return 2
  }
  // The relay's own database, PostgreSQL included: what is written here is what it serves.
  const opened = await openConfiguredStore(env, out, 'coupon', 'set RELAY_DB_PATH or RELAY_DATA_DIR, or RELAY_DATABASE_URL, or start the relay once')
  if (opened === 2) return 2
  const { store } = opened
  try {
    const key = config.signingKey ? parseSigningKey(config.signingKey) : loadOrCreateDevKey(config.dataDir).key
    const ids = pooledRandomIds(clock)
    // Enqueues only (a grant's release at its end): the relay's own runner runs the jobs.
    const jobs = new JobRunner(store, clock, ids, { owner: `cli:${process.pid}` })
    const coupons = new Coupons(new Feed(store, key, clock, ids), ids, { clock, jobs, claimHoldMs: config.checkoutTtlMs })
    const result = await run({ store, clock, ids, coupons })
    out(`coupon: ${command}: ${JSON.stringify(result)}`)
    return 0
  } catch (err) {
    if (err instanceof ZodError) {
      out(`coupon: refused; nothing was written:`)
      for (const i of err.issues) out(`  ${i.path.join('.') || '(input)'}: ${i.message}`)
      return 1
    }
    if (err instanceof BillingError) {
      out(`coupon: refused (${err.code}): ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await store.close()
  }
}
