import { describe, expect, it } from 'vitest'
import { translate } from '../../src/renderer/src/i18n'
import { enrolCode, newDevice, openDevice, startWorld, topUp, type Device, type World } from './support'
import { tempDir } from '../support/db'

// Trials once per account (docs/sync.md, "Trials"): the relay decides; a trial started on a
// second device or a reinstall is provisional until then, and ends when the relay refuses it.

const BASIC_TRIAL = { planCode: 'BASIC', period: 'monthly', trial: true } as const
const DAY = 86_400_000

const limit = (d: Pick<Device, 'billing'>) => d.billing.quotas.check('ai_request').limit
const decisions = (w: World) =>
  w.t.relay.db.sqlite.prepare("SELECT id, device_id, outcome FROM outbox_records WHERE kind = 'trial_start' ORDER BY outcome, id").all() as {
    id: string
    device_id: string
    outcome: string
  }[]

function expectTrialEndedByRelay(d: Pick<Device, 'billing' | 'sync'>, freeLimit: number | null) {
  const sub = d.billing.subscriptions.current()!
  expect(sub).toMatchObject({ planCode: 'BASIC', status: 'cancelled', cancelAtPeriodEnd: false })
  const last = d.billing.subscriptions.history(sub.id).at(-1)!
  expect(last).toMatchObject({ kind: 'cancelled', actor: 'relay', reason: expect.stringContaining('already used its BASIC trial') })
  expect(limit(d)).toBe(freeLimit)
  const s = d.sync.state()
  expect(s.warnings).toContain('trial_refused')
  expect(s.trialRefused).toMatchObject({ planCode: 'BASIC' })
  expect(translate('zh-CN', 'status.warning.trial_refused', { plan: translate('zh-CN', 'plans.tier.BASIC') })).toBe(
    '这个账号已经用过基础版的免费试用，本次试用已结束。订阅后即可继续使用基础版。'
  )
  // Not a refusal of the record: it was accepted, and the verdict is in the feed.
  expect(s.rejectedCount).toBe(0)
  expect(d.sync.checkIntegrity().problems).toEqual([])
}

describe('trials once per account', () => {
  it('a reinstall starting the trial the account already used: refused by the relay, ended, the user told; the first trial untouched', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const freeLimit = limit(a)
    const trialA = a.billing.subscriptions.subscribe({ key: 'trial-a', ...BASIC_TRIAL })
    expect(limit(a)).not.toBe(freeLimit)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(decisions(w)).toEqual([{ id: `trl-${trialA.id}`, device_id: a.deviceId, outcome: 'confirmed' }])

    // The reinstall: a fresh file; the trial is started before the device is enrolled again.
    const r = openDevice(w, 'reinstall', tempDir('sync-reinstall-'))
    r.clock.advance(DAY)
    const trialR = r.billing.subscriptions.subscribe({ key: 'trial-r', ...BASIC_TRIAL })
    expect(r.billing.subscriptions.current()!.status).toBe('trialing')
    const { code } = await enrolCode(w, a.accountId)
    const who = await r.sync.enrol(code, 'reinstall')
    expect((await r.sync.syncNow()).lastError).toBeNull()
    expect(decisions(w).at(-1)).toEqual({ id: `trl-${trialR.id}`, device_id: who.deviceId, outcome: 'refused' })
    expectTrialEndedByRelay(r, freeLimit)
    expect(translate('en', 'status.warning.trial_refused', { plan: 'Basic' })).toBe(
      'This account has already used its Basic trial, so this trial has ended. Subscribe to keep using Basic.'
    )
    // The trial is used here now: trying again is refused locally.
    expect(() => r.billing.subscriptions.subscribe({ key: 'trial-r-2', ...BASIC_TRIAL })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))

    // The first device hears of the refusal but keeps its trial.
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(a.billing.subscriptions.current()).toMatchObject({ id: trialA.id, status: 'trialing', currentPeriodEnd: trialA.currentPeriodEnd })
    expect(a.billing.subscriptions.history(trialA.id).map((e) => e.kind)).toEqual(['trial_started'])
    expect(a.sync.state().warnings).not.toContain('trial_refused')

    // A third device that synced once refuses the trial at once, even offline.
    const c = await newDevice(w, 'c', a.accountId)
    c.signals.setOnline(false)
    expect(() => c.billing.subscriptions.subscribe({ key: 'trial-c', ...BASIC_TRIAL })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('BASIC trial was already used') })
    )
    // Another plan's trial is still there to take.
    expect(c.billing.subscriptions.subscribe({ key: 'trial-c-premium', planCode: 'PREMIUM', period: 'monthly', trial: true }).status).toBe('trialing')

    // Subscribing clears the warning on the reinstall.
    await topUp(w, { ...r, ...who } as unknown as Device, 50_000)
    r.clock.advance(1000)
    r.billing.subscriptions.subscribe({ key: 'paid-r', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(r.sync.state().warnings).not.toContain('trial_refused')
    expect(r.sync.state().trialRefused).toBeNull()
  })

  it('two devices start the trial offline: the first to reach the relay keeps it, the second is refused and ends', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    const freeLimit = limit(b)
    a.signals.setOnline(false)
    b.signals.setOnline(false)
    const trialA = a.billing.subscriptions.subscribe({ key: 'trial-a', ...BASIC_TRIAL })
    const trialB = b.billing.subscriptions.subscribe({ key: 'trial-b', ...BASIC_TRIAL })
    // Provisional: both gate as BASIC until the relay decides.
    expect(limit(a)).toBe(limit(b))
    expect(limit(b)).not.toBe(freeLimit)
    expect(b.sync.state().pendingCount).toBeGreaterThan(0)

    // b reaches the relay first.
    b.signals.setOnline(true)
    expect((await b.sync.syncNow()).lastError).toBeNull()
    a.signals.setOnline(true)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(decisions(w)).toEqual([
      { id: `trl-${trialB.id}`, device_id: b.deviceId, outcome: 'confirmed' },
      { id: `trl-${trialA.id}`, device_id: a.deviceId, outcome: 'refused' }
    ])
    expectTrialEndedByRelay(a, freeLimit)
    expect((await b.sync.syncNow()).lastError).toBeNull()
    expect(b.billing.subscriptions.current()).toMatchObject({ id: trialB.id, status: 'trialing' })
    expect(b.sync.state().warnings).not.toContain('trial_refused')

    // A resend of the refused record (its ack lost) is acknowledged, not decided again.
    a.billing.db.sqlite.prepare('UPDATE sync_outbox SET acked_at = NULL WHERE id = ?').run(`trl-${trialA.id}`)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(a.sync.state()).toMatchObject({ pendingCount: 0, rejectedCount: 0 })
    const feed = w.t.relay.db.sqlite.prepare("SELECT count(*) AS n FROM feed WHERE type = 'trial_decision'").get() as { n: number }
    expect(feed.n).toBe(2)
    expectTrialEndedByRelay(a, freeLimit)

    // Once the trial's days are over the warning has nothing left to explain.
    a.clock.advance(8 * DAY)
    expect(a.sync.state().warnings).not.toContain('trial_refused')
  })
})
