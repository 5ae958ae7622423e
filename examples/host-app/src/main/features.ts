// The example host's own features, gated through the billing module's public API. Plain
// Node (no electron import), so test/examples/host-app.test.ts runs it against a real module.
import type { BillingModule, Confirmed, QuoteDecision } from '../../../../src/main'

/** The host's AI backend (a real app calls its model here). */
export interface AiBackend {
  complete(prompt: string): Promise<string>
}

export type AiAnswer =
  | { ok: true; text: string; paid: Confirmed }
  /** Not started: nothing was spent. `decision` says why (recharge, no quota). */
  | { ok: false; reason: 'quota_exhausted' | 'not_in_plan' | 'needs_recharge' | 'ai_failed'; decision?: QuoteDecision }

/**
 * One AI request: the plan's quota first, then the wallet rule's quote (the price is held),
 * then the call. Only a call that succeeded is paid and counted; a failed one gives the hold
 * back. `key` is the request's idempotency key: a retry with it is not paid twice.
 */
export async function askAi(billing: BillingModule, ai: AiBackend, prompt: string, key: string): Promise<AiAnswer> {
  const check = billing.quota.check('ai_request', 1)
  if (!check.allowed) return { ok: false, reason: check.reason ?? 'quota_exhausted' }
  const quote = billing.gate.begin('ai_request', { key })
  if (quote.decision.outcome === 'needs_recharge' || quote.decision.outcome === 'no_room') {
    return { ok: false, reason: 'needs_recharge', decision: quote.decision }
  }
  let text: string
  try {
    text = await ai.complete(prompt)
  } catch {
    quote.cancel()
    return { ok: false, reason: 'ai_failed' }
  }
  try {
    billing.quota.consume('ai_request', 1, key)
  } catch (err) {
    // Another request took the last of the quota meanwhile: do not charge for this one.
    quote.cancel()
    throw err
  }
  return { ok: true, text, paid: quote.confirm() }
}

/** On quit: end the sessions still running, so their rooms are free at once (not after the lease). */
export function endLiveSessions(billing: BillingModule): string[] {
  return billing.live.sessions().map((s) => billing.live.end(s.key).key)
}
