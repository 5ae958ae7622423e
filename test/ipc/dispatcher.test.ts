import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { InsufficientFunds, NotFound } from '../../src/shared/errors'
import { CHANNEL_NAMES, channels, type ChannelName } from '../../src/shared/ipc/contract'
import { assertComplete, createDispatcher, createEventEmitter, mergeHandlers } from '../../src/shared/ipc/server'
import { countingHandlers, validInputs } from './samples'

const TRUSTED = 'own-window'
const trusted = (s: string) => s === TRUSTED

function setup() {
  const { handlers, calls } = countingHandlers()
  const onError = vi.fn()
  const d = createDispatcher(handlers, { isTrustedSender: trusted, onError })
  return { d, calls, handlers, onError }
}

/** A value that differs from `v` somewhere: a dropped key, an extra key, or a wrong-typed field. */
function nearMiss(sample: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(sample)
  const junk = fc.oneof(
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 })
  )
  const arbs: fc.Arbitrary<unknown>[] = [
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !keys.includes(k) && k !== '__proto__').map((k) => ({ ...sample, [k]: 1 }))
  ]
  if (keys.length) {
    arbs.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(sample).filter(([x]) => x !== k))))
    arbs.push(fc.tuple(fc.constantFrom(...keys), junk).map(([k, v]) => ({ ...sample, [k]: v })))
  }
  return fc.oneof(...arbs)
}

describe('dispatcher: input validation', () => {
  it('the valid sample of every channel reaches its handler (so the refusals below mean something)', async () => {
    const { d, calls } = setup()
    for (const name of CHANNEL_NAMES) {
      const r = await d.dispatch(name, validInputs[name], TRUSTED)
      expect(r, name).toMatchObject({ ok: true })
    }
    expect([...calls.keys()].sort()).toEqual([...CHANNEL_NAMES].sort())
  })

  for (const name of CHANNEL_NAMES) {
    it(`${name}: random malformed payloads → INVALID_INPUT, handler never called`, async () => {
      const { d, calls } = setup()
      const schema = channels[name as ChannelName].input
      const payload = fc.oneof(
        { weight: 1, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true }) },
        { weight: 2, arbitrary: nearMiss(validInputs[name] as Record<string, unknown>) }
      )
      let tried = 0
      await fc.assert(
        fc.asyncProperty(payload.filter((p) => !schema.safeParse(p).success), async (p) => {
          tried++
          const r = await d.dispatch(name, p, TRUSTED)
          expect(r.ok).toBe(false)
          if (!r.ok) expect(r.error.code).toBe('INVALID_INPUT')
        }),
        { numRuns: 150 }
      )
      expect(tried).toBeGreaterThan(100)
      expect(calls.get(name) ?? 0).toBe(0)
    })
  }

  it('money must be whole minor units in a known currency', async () => {
    const { d, calls } = setup()
    const bad = [
      { amount: 50.5, currency: 'CNY' },
      { amount: -100, currency: 'CNY' },
      { amount: 0, currency: 'CNY' },
      { amount: 100, currency: 'XYZ' },
      { amount: '100', currency: 'CNY' },
      { amount: 1e12, currency: 'CNY' }
    ]
    for (const amount of bad) {
      const r = await d.dispatch(
        'checkout.create',
        { idempotencyKey: 'k-000000001', method: 'alipay', purpose: { kind: 'recharge', amount } },
        TRUSTED
      )
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    // A plan checkout cannot carry a price from the renderer.
    const withPrice = await d.dispatch(
      'checkout.create',
      { idempotencyKey: 'k-000000001', method: 'alipay', purpose: { kind: 'plan', planId: 'p', amount: { amount: 1, currency: 'CNY' } } },
      TRUSTED
    )
    expect(withPrice).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    // Keys under `feed:` belong to the relay feed's effects (never sent back to the relay).
    const feedKey = await d.dispatch('wallet.chargeOrFree', { idempotencyKey: 'feed:rec_000000001', feature: 'ai_request' }, TRUSTED)
    expect(feedKey).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(calls.size).toBe(0)
  })
})

describe('dispatcher: senders and channels', () => {
  it('an untrusted sender is refused on every channel, valid input or not, and no handler runs', async () => {
    const { d, calls } = setup()
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNEL_NAMES), fc.string(), async (name, sender) => {
        fc.pre(sender !== TRUSTED)
        const r = await d.dispatch(name, validInputs[name], sender)
        expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'sender is not trusted' } })
      })
    )
    expect(calls.size).toBe(0)
  })

  it('an unknown channel is refused (and, for an untrusted sender, not even revealed as unknown)', async () => {
    const { d, calls } = setup()
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (channel) => {
        fc.pre(typeof channel !== 'string' || !(CHANNEL_NAMES as string[]).includes(channel))
        const r = await d.dispatch(channel, {}, TRUSTED)
        expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
        const foreign = await d.dispatch(channel, {}, 'evil')
        expect(foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
      })
    )
    for (const name of ['toString', '__proto__', 'constructor', 'wallet.balance ', 'WALLET.BALANCE']) {
      expect(await d.dispatch(name, {}, TRUSTED)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    }
    // Found by the property above: a channel that cannot be turned into a string used to throw.
    const hostile = { toString: {} }
    expect(await d.dispatch(hostile, {}, TRUSTED)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await d.dispatch(hostile, {}, 'evil')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(calls.size).toBe(0)
  })

  it('a sender check that throws counts as untrusted', async () => {
    const { handlers } = countingHandlers()
    const d = createDispatcher(handlers, {
      isTrustedSender: () => {
        throw new Error('frame gone')
      }
    })
    expect(await d.dispatch('wallet.balance', {}, TRUSTED)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
  })

  it('the handler gets the parsed input and the sender', async () => {
    const { handlers } = countingHandlers()
    const seen: unknown[] = []
    handlers['settings.set'] = (input, ctx) => {
      seen.push(input, ctx)
      return { locale: input.locale }
    }
    const d = createDispatcher(handlers, { isTrustedSender: trusted })
    await d.dispatch('settings.set', { locale: 'en' }, TRUSTED)
    expect(seen).toEqual([{ locale: 'en' }, { sender: TRUSTED, channel: 'settings.set' }])
  })
})

describe('dispatcher: nothing thrown crosses', () => {
  it('a BillingError becomes its typed code and details', async () => {
    const { handlers } = countingHandlers()
    handlers['wallet.chargeOrFree'] = () => {
      throw new InsufficientFunds({ balance: 1, required: 5, shortfall: 4, currency: 'CNY' })
    }
    handlers['checkout.status'] = async () => {
      throw new NotFound('checkout', 'o9')
    }
    const d = createDispatcher(handlers, { isTrustedSender: trusted })
    expect(await d.dispatch('wallet.chargeOrFree', validInputs['wallet.chargeOrFree'], TRUSTED)).toEqual({
      ok: false,
      error: {
        code: 'INSUFFICIENT_FUNDS',
        message: 'insufficient funds: short by 4 minor units',
        details: { balance: 1, required: 5, shortfall: 4, currency: 'CNY' }
      }
    })
    expect(await d.dispatch('checkout.status', { orderId: 'o9' }, TRUSTED)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', details: { what: 'checkout', id: 'o9' } }
    })
  })

  it('anything else thrown (Error, string, rejection) becomes INTERNAL and is reported', async () => {
    const { handlers } = countingHandlers()
    const onError = vi.fn()
    handlers['wallet.balance'] = () => {
      throw new TypeError('boom')
    }
    handlers['sync.now'] = () => Promise.reject('a string')
    const d = createDispatcher(handlers, { isTrustedSender: trusted, onError })
    expect(await d.dispatch('wallet.balance', {}, TRUSTED)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } })
    expect(await d.dispatch('sync.now', {}, TRUSTED)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'a string' } })
    expect(onError).toHaveBeenCalledTimes(2)
  })

  it('a handler answer that breaks the contract is not sent (INTERNAL), and is reported', async () => {
    const { handlers } = countingHandlers()
    const onError = vi.fn()
    ;(handlers as Record<string, unknown>)['wallet.balance'] = () => ({ balance: { amount: 1.5, currency: 'CNY' } })
    const d = createDispatcher(handlers, { isTrustedSender: trusted, onError })
    expect(await d.dispatch('wallet.balance', {}, TRUSTED)).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'malformed answer on wallet.balance' }
    })
    expect(onError).toHaveBeenCalledOnce()
  })
})

describe('handler maps', () => {
  it('createDispatcher refuses a map with a channel missing or unknown', () => {
    const { handlers } = countingHandlers()
    const partial: Record<string, unknown> = { ...handlers }
    delete partial['usage.summary']
    expect(() => createDispatcher(partial as never, { isTrustedSender: trusted })).toThrow(/missing \[usage.summary\]/)
    expect(() => createDispatcher({ ...handlers, 'wallet.steal': () => 1 } as never, { isTrustedSender: trusted })).toThrow(
      /unknown \[wallet.steal\]/
    )
  })

  it('mergeHandlers throws when two domains implement the same channel', () => {
    const { handlers } = countingHandlers()
    const wallet = { 'wallet.balance': handlers['wallet.balance'] }
    expect(() => mergeHandlers(wallet, { 'wallet.balance': handlers['wallet.balance'] })).toThrow(/implemented twice: wallet.balance/)
    const merged = mergeHandlers(wallet, { 'sync.now': handlers['sync.now'] })
    expect(Object.keys(merged)).toEqual(['wallet.balance', 'sync.now'])
    expect(() => assertComplete(merged)).toThrow(/missing/)
  })
})

describe('events', () => {
  it('the emitter sends only payloads that fit the contract', () => {
    const sent: unknown[] = []
    const onError = vi.fn()
    const e = createEventEmitter((event, payload) => sent.push([event, payload]), onError)
    const ok = { orderId: 'o1', amount: { amount: 100, currency: 'CNY' as const }, purpose: 'recharge' as const }
    expect(e.emit('payment.confirmed', ok)).toBe(true)
    expect(e.emit('payment.confirmed', { ...ok, amount: { amount: 1.5, currency: 'CNY' } } as never)).toBe(false)
    expect(sent).toEqual([['payment.confirmed', ok]])
    expect(onError).toHaveBeenCalledOnce()
  })
})
