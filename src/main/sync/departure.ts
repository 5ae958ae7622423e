import { LEAVING_DEVICES_SECRET, type SecretStore } from '../settings'
import { RelayError } from './relay-client'

// A sign-out the relay has not heard yet (docs/sync.md, "Sign-in and sign-out"). The device
// is signed out here at once (not enrolled: the free tier on its own data), but its token is
// not thrown away: it is kept under LEAVING_DEVICES_SECRET only until the relay has what the
// device had pending in its outbox and has revoked it. Forgetting it offline would leave the
// device active on the relay and its unsynced spending unreported unless the same account
// signed in here again. Every sync run tries this first, before (and whether or not) a device
// is enrolled; a relay answering 401 has revoked the token already (removed from another
// device), and what was pending then waits in the outbox for a later sign-in, as it always has.

export interface Leaving {
  deviceId: string
  token: string
}

export interface DepartureDeps {
  secrets: SecretStore
  /** Pushes the whole outbox with this token; throws the RelayError of a failed batch. */
  push(token: string): Promise<unknown>
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
      return Array.isArray(list) ? list.filter((l): l is Leaving => typeof l?.deviceId === 'string' && typeof l?.token === 'string') : []
    } catch {
      // An unreadable entry can do nothing useful: the relay revokes those tokens when asked from another device.
      return []
    }
  }

  /** Takes over a signing-out device's token (before the caller forgets it as the enrolled one). */
  begin(deviceId: string, token: string): void {
    this.write([...this.leaving().filter((l) => l.deviceId !== deviceId), { deviceId, token }])
  }

  /**
   * Pushes what is pending and revokes each leaving device. True when none is left; false when
   * the relay could not be reached or failed (the next run tries again).
   */
  async finish(): Promise<boolean> {
    for (const l of this.leaving()) {
      try {
        await this.deps.push(l.token)
        await this.deps.revoke(l.deviceId, l.token)
      } catch (err) {
        if (!(err instanceof RelayError && err.status === 401)) return false
      }
      this.write(this.leaving().filter((x) => x.deviceId !== l.deviceId))
    }
    return true
  }

  private write(list: Leaving[]): void {
    if (list.length === 0) this.deps.secrets.delete(LEAVING_DEVICES_SECRET)
    else this.deps.secrets.set(LEAVING_DEVICES_SECRET, JSON.stringify(list))
  }
}
