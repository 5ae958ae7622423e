import { canonicalJson } from '../../node/fingerprint'
import type { OutboxRecord } from '../../shared/relay-contract'

// The canonical JSON of an outbox record (keys sorted, as canonicalJson writes it), written
// field by field for the four record shapes: the generic canonicalJson sorts keys with
// Object.entries for every object, which was the relay's largest cost per pushed record.
// A record with any other shape (not from the HTTP boundary, where the contract's strict
// schemas allow exactly these keys) falls back to canonicalJson, so the output is always
// canonicalJson(record). test/relay/outbox-canonical.test.ts checks the two agree.

const s = JSON.stringify
const money = (m: { amount: number; currency: string }) => `{"amount":${s(m.amount)},"currency":${s(m.currency)}}`

const str = (v: unknown): v is string => typeof v === 'string'
const num = (v: unknown): v is number => typeof v === 'number'
/** Exactly `n` own keys; with the named fields type-checked, they are exactly those keys. */
const keys = (o: object, n: number) => Object.keys(o).length === n
const plainMoney = (m: unknown): m is { amount: number; currency: string } =>
  typeof m === 'object' && m !== null && keys(m, 2) && num((m as { amount: unknown }).amount) && str((m as { currency: unknown }).currency)

export function canonicalRecord(r: OutboxRecord): string {
  switch (r.kind) {
    case 'usage':
      if (keys(r, 5) && str(r.id) && str(r.feature) && num(r.occurredAt) && num(r.quantity)) {
        return `{"feature":${s(r.feature)},"id":${s(r.id)},"kind":"usage","occurredAt":${s(r.occurredAt)},"quantity":${s(r.quantity)}}`
      }
      break
    case 'wallet_debit':
      if (keys(r, 5) && str(r.id) && str(r.feature) && num(r.occurredAt) && plainMoney(r.amount)) {
        return `{"amount":${money(r.amount)},"feature":${s(r.feature)},"id":${s(r.id)},"kind":"wallet_debit","occurredAt":${s(r.occurredAt)}}`
      }
      break
    case 'first_free_claim':
      if (keys(r, 5) && str(r.id) && str(r.feature) && num(r.occurredAt) && plainMoney(r.price)) {
        return `{"feature":${s(r.feature)},"id":${s(r.id)},"kind":"first_free_claim","occurredAt":${s(r.occurredAt)},"price":${money(r.price)}}`
      }
      break
    case 'trial_start':
      if (keys(r, 6) && str(r.id) && str(r.planCode) && str(r.period) && num(r.startedAt) && num(r.endsAt)) {
        return `{"endsAt":${s(r.endsAt)},"id":${s(r.id)},"kind":"trial_start","period":${s(r.period)},"planCode":${s(r.planCode)},"startedAt":${s(r.startedAt)}}`
      }
      break
  }
  return canonicalJson(r)
}
