import { useEffect, useState } from 'react'
import type { ErrorInfo } from '../../../shared/errors'
import type { Output } from '../../../shared/ipc/contract'
import { useBilling } from '../context'
import type { CheckoutPurpose } from '../stores/checkout'

export type LiveQuote = Output<'checkout.quote'>
export type QuoteAnswer = { ok: true; value: LiveQuote } | { ok: false; error: ErrorInfo }

/**
 * The relay's live price of each purpose with the code applied (or none): asked again whenever
 * the purposes or the code change; an answer to an older question is dropped.
 */
export function useLiveQuotes(purposes: CheckoutPurpose[], code: string | null): Record<string, QuoteAnswer> | null {
  const { client } = useBilling()
  const [answers, setAnswers] = useState<Record<string, QuoteAnswer> | null>(null)
  const question = JSON.stringify({ purposes, code })
  useEffect(() => {
    const { purposes: ps, code: c } = JSON.parse(question) as { purposes: CheckoutPurpose[]; code: string | null }
    let live = true
    setAnswers(null)
    if (ps.length === 0) return
    void Promise.all(
      ps.map(async (purpose) => [quoteKey(purpose), await client.invoke('checkout.quote', { purpose, ...(c ? { code: c } : {}) })] as const)
    ).then((entries) => {
      if (live) setAnswers(Object.fromEntries(entries))
    })
    return () => {
      live = false
    }
  }, [client, question])
  return answers
}

export const quoteKey = (p: CheckoutPurpose): string => (p.kind === 'plan' ? p.planId : `recharge:${p.amount.amount}:${p.amount.currency}`)
