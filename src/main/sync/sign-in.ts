import { DEVICE_TOKEN_SECRET, type SecretStore, type SettingsStore } from '../settings'
import { BillingError, InvalidInput, InvalidTransition } from '../../shared/errors'
import type { AccountView, SignInMethod } from '../../shared/ipc/types'
import type { SignInResponse } from '../../shared/relay-contract'
import type { DeviceDeparture } from './departure'
import { RelayError, type RelayClient } from './relay-client'

// Signing in to a relay account: an email or mobile number and a one-time code, or a token
// from the host app's own backend. A verified sign-in ends in the same device token an
// operator's enrolment code buys (enrolment.ts), so sync, leases and the outbox carry on
// unchanged. Signing out signs this computer out at once: the app then runs on the free tier
// on its own data, as it does before any sign-in; the token passes to departure.ts, which
// pushes what was pending and revokes the device as soon as the relay answers.
//
// This file's ledger, outbox and feed cursor belong to the first account it signed in to:
// the account id stays in the settings after a sign-out, and a sign-in to another account
// is refused (its device is revoked at once), so one account's spending never reaches another.

/** Earlier devices of this file remembered (settings.formerDeviceIds): far more sign-outs than a file sees. */
const FORMER_DEVICES_KEPT = 50

export interface AccountSessionDeps {
  settings: SettingsStore
  secrets: SecretStore
  relay: () => RelayClient
  enrolled: () => boolean
  deviceName: () => string
  /** The relay this device signs in to, remembered with the token for starts without it configured. */
  relayIdentity: () => { relayUrl?: string; relayPublicKey: string }
  /** Drops the stored lease (it names the device that is going or gone). */
  resetLease: () => void
  /** A sync run: pushes what is pending, and finishes departures; failures are ignored. */
  flush: () => Promise<unknown>
  departure: DeviceDeparture
  /** Signed in or out: announce the sync state and sync. */
  changed: () => void
}

export class AccountSession {
  constructor(private readonly deps: AccountSessionDeps) {}

  async view(): Promise<AccountView> {
    if (!this.deps.enrolled()) return this.signedOut()
    const s = this.deps.settings.get()
    let devices: Extract<AccountView, { signedIn: true }>['devices'] = null
    try {
      const account = await this.deps.relay().account()
      devices = account.devices
        .filter((d) => d.revokedAt === null)
        .map((d) => ({ deviceId: d.deviceId, name: d.name, enrolledAt: d.enrolledAt, current: d.deviceId === s.deviceId }))
    } catch (err) {
      // Removed from another device: this one is signed out.
      if (err instanceof RelayError && err.status === 401) {
        this.forget()
        return this.signedOut()
      }
    }
    return {
      signedIn: true,
      accountId: s.accountId ?? '',
      deviceId: s.deviceId ?? '',
      method: s.signInMethod ?? null,
      target: s.signInTarget ?? null,
      devices
    }
  }

  async requestCode(method: SignInMethod, target: string): Promise<{ expiresAt: number }> {
    this.assertSignedOut()
    return relayCall(() => this.deps.relay().requestSignInCode(method, target))
  }

  async verifyCode(method: SignInMethod, target: string, code: string): Promise<AccountView> {
    this.assertSignedOut()
    const relay = await relayCall(async () => this.deps.relay())
    const out = await relayCall(() => relay.verifySignInCode(method, target, code, this.deps.deviceName()))
    await this.adopt(relay, out, method, target.trim())
    return this.view()
  }

  /** A token signed by the host app's backend for its signed-in user (JWT; see the relay README). */
  async withHostToken(token: string, deviceName?: string): Promise<AccountView> {
    this.assertSignedOut()
    if (typeof token !== 'string' || token.length < 16) throw new InvalidInput('a host sign-in token is required')
    const relay = await relayCall(async () => this.deps.relay())
    const out = await relayCall(() => relay.hostSignIn(token, (deviceName ?? this.deps.deviceName()).slice(0, 100)))
    await this.adopt(relay, out, 'host', null)
    return this.view()
  }

  async removeDevice(deviceId: string): Promise<AccountView> {
    if (!this.deps.enrolled()) throw new InvalidTransition('account', 'signed_out', 'remove_device')
    if (deviceId === this.deps.settings.get().deviceId) throw new InvalidInput('this computer is removed by signing out', { deviceId })
    await relayCall(() => this.deps.relay().revokeDevice(deviceId))
    return this.view()
  }

  /**
   * Idempotent: signed out already answers the signed-out view. Signed out here whatever the
   * relay says; the run after it tells the relay, or a later one when it cannot be reached.
   */
  async signOut(): Promise<AccountView> {
    if (this.deps.enrolled()) {
      await this.deps.flush().catch(() => undefined)
      const own = this.deps.settings.get().deviceId
      const token = this.deps.secrets.get(DEVICE_TOKEN_SECRET)
      if (own && token) this.deps.departure.begin(own, token)
      this.forget()
      await this.deps.flush().catch(() => undefined)
    }
    return this.view()
  }

  private async signedOut(): Promise<AccountView> {
    const methods = await this.methods()
    return this.deps.departure.leaving().length > 0 ? { signedIn: false, methods, leaving: true } : { signedIn: false, methods }
  }

  private async methods(): Promise<SignInMethod[] | null> {
    try {
      return (await this.deps.relay().signInMethods()).methods
    } catch {
      return null
    }
  }

  private assertSignedOut(): void {
    if (this.deps.enrolled()) throw new InvalidTransition('account', 'signed_in', 'sign_in')
  }

  private async adopt(relay: RelayClient, out: SignInResponse, method: SignInMethod | 'host', target: string | null): Promise<void> {
    const bound = this.deps.settings.get().accountId
    if (bound && bound !== out.accountId) {
      await relay.revokeDevice(out.deviceId, out.deviceToken).catch(() => undefined)
      throw new BillingError('FORBIDDEN', 'this computer’s billing data belongs to another account: sign in with that account', {
        reason: 'other_account'
      })
    }
    this.deps.resetLease()
    this.deps.secrets.set(DEVICE_TOKEN_SECRET, out.deviceToken)
    this.deps.settings.set({
      ...this.deps.relayIdentity(),
      accountId: out.accountId,
      deviceId: out.deviceId,
      deviceName: this.deps.deviceName(),
      signInMethod: method,
      signInTarget: target ?? undefined
    })
    this.deps.changed()
  }

  private forget(): void {
    const s = this.deps.settings.get()
    const former = s.deviceId ? [...(s.formerDeviceIds ?? []).filter((id) => id !== s.deviceId), s.deviceId].slice(-FORMER_DEVICES_KEPT) : s.formerDeviceIds
    this.deps.secrets.delete(DEVICE_TOKEN_SECRET)
    this.deps.settings.set({ deviceId: undefined, deviceName: undefined, signInMethod: undefined, signInTarget: undefined, formerDeviceIds: former })
    this.deps.resetLease()
    this.deps.changed()
  }
}

/** The relay's answer, its failures as typed billing errors (details kept: reason, retry-after). */
async function relayCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    if (err instanceof BillingError) throw err
    if (!(err instanceof RelayError)) throw err
    const details = err.details
    if (err.status === 0) throw new BillingError('UNAVAILABLE', err.message, { reason: err.code === 'NOT_CONFIGURED' ? 'no_relay' : 'offline' })
    if (err.status === 401) throw new BillingError('UNAUTHORIZED', err.message, details)
    if (err.status === 400) throw new BillingError('INVALID_INPUT', err.message, details)
    if (err.status === 404) throw new BillingError('NOT_FOUND', err.message, details)
    if (err.status === 429) throw new BillingError('UNAVAILABLE', err.message, { reason: 'rate_limited', ...details })
    throw new BillingError('UNAVAILABLE', err.message, details ?? { reason: 'offline' })
  }
}
