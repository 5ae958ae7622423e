import { randomInt } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError } from '../../shared/errors'
import { Unauthorized, type Accounts } from '../accounts/accounts'
import { RateLimited } from '../http/errors'
import type { RateLimiter } from '../http/rate-limit'
import type { Senders } from '../notifications'
import type { RelayStore, SignInTargetRow } from '../store/ports'
import { signInIdentity, type SignedIn } from './identities'
import { codeEmail, codeSms } from './messages'
import { AuthSecret } from './secret'
import { normaliseTarget, type CodeMethod } from './targets'

// Sign-in with a one-time code sent to an email address or a mobile number.
// - A code is 6 random digits, lives `ttlMs`, works once, and only its HMAC (bound to its
//   target) is stored; a new code retires the target's older ones.
// - A code survives CODE_ATTEMPTS wrong entries. A target that fails `maxFailures` times in a
//   window is locked for `lockoutMs` (even the right code is refused), and may be sent at most
//   `codesPerTarget` codes per window. An address (the caller's IP) may ask for
//   `perAddress` codes and make `perAddress` wrong entries per window.
// - Nothing answers differently for a target with an account and one without: asking never
//   reads accounts, and a wrong code, an expired one and no code at all are one error.

export interface CodePolicy {
  ttlMs: number
  maxFailures: number
  lockoutMs: number
  codesPerTarget: number
}

/** Wrong entries one code survives before it is dead (a new code must be asked for). */
export const CODE_ATTEMPTS = 3

export class SignInMethodOff extends BillingError {
  constructor(method: CodeMethod) {
    super('UNAVAILABLE', `sign-in by ${method === 'sms' ? 'mobile number' : 'email'} is switched off on this relay`, {
      reason: 'method_off',
      method
    })
  }
}

export class SignInLocked extends RateLimited {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds, 'too many wrong codes: sign-in for this address or number is locked for a while', { reason: 'locked' })
  }
}

export class SignInCodes {
  constructor(
    private readonly deps: {
      store: RelayStore
      clock: Clock
      ids: IdSource
      accounts: Accounts
      secret: AuthSecret
      senders: Senders
      policy: CodePolicy
      /** Code requests per address. */
      requestsPerAddress: RateLimiter
      /** Wrong entries per address. */
      failuresPerAddress: RateLimiter
    }
  ) {}

  methods(): CodeMethod[] {
    return (['email', 'sms'] as const).filter((m) => this.sender(m) !== undefined)
  }

  /** Sends a fresh code to the target; the same answer whether or not it has an account. */
  async request(method: CodeMethod, rawTarget: string, address: string): Promise<{ expiresAt: number }> {
    const { store, clock, secret, policy } = this.deps
    if (!this.sender(method)) throw new SignInMethodOff(method)
    const target = normaliseTarget(method, rawTarget)
    this.deps.requestsPerAddress.hit(address)
    const targetKey = secret.targetKey(method, target)
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const now = clock.now()
    const expiresAt = now + policy.ttlMs
    await store.unit(async (tx) => {
      const t = this.window(await tx.signIn.target(targetKey), targetKey, now)
      if (t.lockedUntil > now) throw new SignInLocked(seconds(t.lockedUntil - now))
      if (t.sends >= policy.codesPerTarget) {
        throw new RateLimited(seconds(t.windowStart + policy.lockoutMs - now), 'too many codes asked for this address or number; retry later', {
          reason: 'too_many_codes'
        })
      }
      await tx.signIn.retireCodes(targetKey, now)
      await tx.signIn.insertCode({ id: `sic_${this.deps.ids.next()}`, targetKey, codeHash: secret.codeHash(targetKey, code), createdAt: now, expiresAt })
      await tx.signIn.putTarget({ ...t, sends: t.sends + 1 })
    })
    // Sent after the commit: a unit awaits nothing but the store.
    try {
      await this.deliver(method, target, code)
    } catch (err) {
      throw new BillingError('UNAVAILABLE', 'the sign-in code could not be sent; try again later', {
        reason: 'send_failed',
        cause: err instanceof Error ? err.message : String(err)
      })
    }
    return { expiresAt }
  }

  /** Exchanges the target's live code for a device of its account (made on first sign-in). */
  async verify(method: CodeMethod, rawTarget: string, code: string, deviceName: string, address: string): Promise<SignedIn> {
    const { store, clock, secret, policy, accounts } = this.deps
    if (!this.sender(method)) throw new SignInMethodOff(method)
    const target = normaliseTarget(method, rawTarget)
    this.deps.failuresPerAddress.check(address)
    const targetKey = secret.targetKey(method, target)
    const now = clock.now()
    // The unit returns failures instead of throwing them: their counts must commit.
    const outcome = await store.unit(async (tx): Promise<{ kind: 'locked'; until: number } | { kind: 'wrong' } | { kind: 'ok'; signedIn: SignedIn }> => {
      const t = this.window(await tx.signIn.target(targetKey), targetKey, now)
      if (t.lockedUntil > now) return { kind: 'locked', until: t.lockedUntil }
      const row = await tx.signIn.liveCode(targetKey, now)
      const right = row !== undefined && row.attempts < CODE_ATTEMPTS && AuthSecret.same(row.codeHash, secret.codeHash(targetKey, code))
      if (!right || !(await tx.signIn.useCode(row.id, now))) {
        if (row) await tx.signIn.countAttempt(row.id)
        const failures = t.failures + 1
        const lock = failures >= policy.maxFailures
        await tx.signIn.putTarget({ ...t, failures: lock ? 0 : failures, lockedUntil: lock ? now + policy.lockoutMs : t.lockedUntil })
        return { kind: 'wrong' }
      }
      await tx.signIn.putTarget({ ...t, failures: 0 })
      return { kind: 'ok', signedIn: await signInIdentity(tx, accounts, { kind: method, subject: target }, deviceName, now) }
    })
    if (outcome.kind === 'locked') throw new SignInLocked(seconds(outcome.until - now))
    if (outcome.kind === 'wrong') {
      this.deps.failuresPerAddress.add(address)
      throw new Unauthorized('sign-in code wrong, expired or used')
    }
    return outcome.signedIn
  }

  private sender(method: CodeMethod) {
    return method === 'email' ? this.deps.senders.email : this.deps.senders.sms
  }

  private async deliver(method: CodeMethod, to: string, code: string): Promise<void> {
    const minutes = Math.round(this.deps.policy.ttlMs / 60_000)
    if (method === 'email') await this.deps.senders.email!.send({ to, ...codeEmail(code, minutes) })
    else await this.deps.senders.sms!.send({ to, text: codeSms(code, minutes) })
  }

  /** The target's counters, restarted when their window has passed. */
  private window(row: SignInTargetRow | undefined, targetKey: string, now: number): SignInTargetRow {
    if (row && now - row.windowStart < this.deps.policy.lockoutMs) return row
    return { targetKey, windowStart: now, sends: 0, failures: 0, lockedUntil: row?.lockedUntil ?? 0 }
  }
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))
