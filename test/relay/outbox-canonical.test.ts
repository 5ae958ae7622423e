import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson, fingerprint } from '../../src/node/fingerprint'
import { canonicalRecord } from '../../src/relay/outbox/canonical'
import { bodyFingerprint } from '../../src/relay/outbox/outbox'
import type { OutboxRecord } from '../../src/shared/relay-contract'

// The relay's field-by-field serialiser of outbox records must be canonicalJson exactly (the
// stored body and its fingerprint decide whether a resend is the same record).

const text = fc.string({ maxLength: 12 })
const money = fc.record({ amount: fc.integer({ min: -1e10, max: 1e10 }), currency: fc.constantFrom('CNY', 'USD', 'x"y') })
const record = fc.oneof(
  fc.record({ id: text, kind: fc.constant('usage'), feature: text, quantity: fc.integer(), occurredAt: fc.integer() }),
  fc.record({ id: text, kind: fc.constant('wallet_debit'), amount: money, feature: text, occurredAt: fc.integer() }),
  fc.record({ id: text, kind: fc.constant('first_free_claim'), feature: text, price: money, occurredAt: fc.integer() }),
  fc.record({ id: text, kind: fc.constant('trial_start'), planCode: text, period: text, startedAt: fc.integer(), endsAt: fc.integer() })
)
// Shapes the contract refuses but a direct caller might pass: extra, missing or undefined keys, odd types.
const odd = fc.tuple(record, fc.dictionary(fc.constantFrom('extra', 'feature', 'quantity', 'amount', 'price', 'id', 'planCode', 'endsAt'), fc.oneof(text, fc.integer(), fc.constant(undefined), fc.double()), { maxKeys: 2 }))
  .map(([r, over]) => ({ ...r, ...over }))

describe('outbox canonical body', () => {
  it('equals canonicalJson for every record shape, and its hash equals fingerprint()', () => {
    fc.assert(
      fc.property(fc.oneof(record, odd), (r) => {
        const body = canonicalRecord(r as OutboxRecord)
        expect(body).toBe(canonicalJson(r))
        expect(bodyFingerprint(body)).toBe(fingerprint(r))
      }),
      { numRuns: 2000 }
    )
  })
})
