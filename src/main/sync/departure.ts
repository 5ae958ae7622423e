import { LEAVING_DEVICES_SECRET, type SecretStore } from '../settings'
import { RelayError } from './relay-client'

// A sign-out the relay has not heard yet (docs/sync.md, "Sign-in and sign-out"). The device
// is signed out here at once (not enrolled: the free tier on its own data), but its token is
// not thrown away: it is kept under LEAVING_DEVICES_SECRET only until the relay has what the
// device wrote to its outbox before signing out, and has revoked it. Forgetting it offline
// would leave the device active on the relay and its unsynced spending unreported unless the
// same account signed in here again. Every sync run tries this first, signed in or not.
// - Only rows up to the sign-out (`untilSeq`): what is written signed out waits for a later
//   sign-in, as it always has, and is never pushed as the departed device's.
// - A failure the relay may get over (offline, 5xx, 429) leaves the entry for the next run.
// - An answer it will not get over ends the departure: 401 (revoked already, e.g. removed from
//   another device), or a refused push (the device is still revoked; what it could not push
//   stays in the outbox for a later sign-in).
// - An entry made for another relay than the one configured now is dropped, never sent there.

export interface Leaving {
  deviceId: string
  token: string
  relayUrl: string
  /** The outbox's last row when the device signed out. */
  untilSeq: number
}

export interface DepartureDeps {
  secrets: SecretStore
  /** The relay configured now (undefined: none). */
  relayUrl(): string | undefined
  /** The outbox's last row now. */
  lastSeq(): number
  /** Pushes the outbox rows up to `untilSeq` with this token; throws the RelayError of a failed batch. */
  push(token: string, untilSeq: number): Promise<unknown>
  /** Revokes the device with its own token. */
  revoke(deviceId: string, token: string): Promise<unknown>
}

export class DeviceDeparture {
  constructor(private readonly deps: DepartureDeps) {}

  /** Devices signed out that the relay has not yet revoked. */
  leaving(): Leaving[] {
    const text = this.deps.secrets.get(LEAVING_DEVICES_SECRET)
    if (!text) return []
    try {
      const list = JSON.parse(text) as unknown
      return Array.isArray(list) ? list.filter(isLeaving) : []
    } catch {
      // An unreadable entry can do nothing useful: the relay revokes those tokens when asked from another device.
      return []
    }
  }

  /** Takes over a signing-out device's token (before the caller forgets it as the enrolled one). */
  begin(deviceId: string, token: string): void {
    const relayUrl = this.deps.relayUrl()
    if (!relayUrl) return
    this.write([...this.leaving().filter((l) => l.deviceId !== deviceId), { deviceId, token, relayUrl, untilSeq: this.deps.lastSeq() }])
  }

  /**
   * Pushes what each leaving device had pending and revokes it. True when none is left; false
   * when one waits for the relay (the next run tries again).
   */
  async finish(): Promise<boolean> {
    let waiting = false
    for (const l of this.leaving()) {
      if (l.relayUrl === this.deps.relayUrl() && !(await this.depart(l))) {
        waiting = true
        continue
      }
      this.write(this.leaving().filter((x) => x.deviceId !== l.deviceId))
    }
    return !waiting
  }

  /** True when the departure is over (done, or nothing more this token can do). */
  private async depart(l: Leaving): Promise<boolean> {
    try {
      await this.deps.push(l.token, l.untilSeq)
    } catch (err) {
      if (!final(err)) return false
      if (err instanceof RelayError && err.status === 401) return true
    }
    try {
      await this.deps.revoke(l.deviceId, l.token)
      return true
    } catch (err) {
      return final(err)
    }
  }

  private write(list: Leaving[]): void {
    if (list.length === 0) this.deps.secrets.delete(LEAVING_DEVICES_SECRET)
    else this.deps.secrets.set(LEAVING_DEVICES_SECRET, JSON.stringify(list))
  }
}

/** An answer the relay will not get over by waiting (anything but a network failure, 5xx or 429). */
function final(err: unknown): boolean {
  return err instanceof RelayError && !err.retryable && err.status !== 0
}

function isLeaving(l: unknown): l is Leaving {
  const x = l as Partial<Leaving> | null
  return typeof x?.deviceId === 'string' && typeof x.token === 'string' && typeof x.relayUrl === 'string' && typeof x.untilSeq === 'number'
}
