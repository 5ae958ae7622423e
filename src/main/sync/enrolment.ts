import { DEVICE_TOKEN_SECRET, type SecretStore, type SettingsStore } from '../settings'
import { BillingError, InvalidInput, InvalidTransition } from '../../shared/errors'
import { RelayError, type RelayClient } from './relay-client'

// Joining an account: a one-time code from the relay operator buys this device its id and
// its device token (kept in the secret store, sent with every relay request).

export interface EnrolledDevice {
  accountId: string
  deviceId: string
}

export class DeviceEnrolment {
  constructor(
    private readonly deps: {
      settings: SettingsStore
      secrets: SecretStore
      relay: () => RelayClient
    }
  ) {}

  /** A device id and its token: without either, nothing is sent to the relay. */
  isEnrolled(): boolean {
    return Boolean(this.deps.settings.get().deviceId && this.deps.secrets.get(DEVICE_TOKEN_SECRET))
  }

  async enrol(code: string, deviceName: string): Promise<EnrolledDevice> {
    if (this.isEnrolled()) throw new InvalidTransition('device', 'enrolled', 'enrolled')
    if (typeof code !== 'string' || code.length < 8 || typeof deviceName !== 'string' || !deviceName.trim()) {
      throw new InvalidInput('an enrolment code and a device name are required')
    }
    const relay = this.deps.relay() // an insecure or missing relay URL is its own typed error
    const enrolled = await askRelay(relay, code, deviceName.trim().slice(0, 100))
    this.deps.secrets.set(DEVICE_TOKEN_SECRET, enrolled.deviceToken)
    this.deps.settings.set({ accountId: enrolled.accountId, deviceId: enrolled.deviceId, deviceName, signInMethod: 'enrolment' })
    return { accountId: enrolled.accountId, deviceId: enrolled.deviceId }
  }
}

/** The relay's answer to a code, its failures as billing errors. */
async function askRelay(relay: RelayClient, code: string, deviceName: string) {
  try {
    return await relay.enrol(code, deviceName)
  } catch (err) {
    if (err instanceof RelayError && err.status === 401) throw new BillingError('UNAUTHORIZED', 'enrolment code unknown, used or expired')
    throw new BillingError('UNAVAILABLE', `enrolment failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}
