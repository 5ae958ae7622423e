import type { Env } from '../../../src/relay/config/config'
import type { FakeStripe } from '../fakes/stripe'

// Environment that switches on the real Stripe adapter against the fake Stripe API.

export const STRIPE_SECRET_KEY = 'sk_test_relaycore'
export const STRIPE_WEBHOOK_SECRET = `whsec_${Math.random().toString(36).slice(2)}`

export function stripeEnv(fake: Pick<FakeStripe, 'port'>, webhookSecret = STRIPE_WEBHOOK_SECRET): Env {
  return {
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_SUCCESS_URL: 'https://app.example/paid',
    STRIPE_CANCEL_URL: 'https://app.example/cancel',
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: String(fake.port),
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_MAX_NETWORK_RETRIES: '0'
  }
}

