import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FileSecretStore, FileSettingsStore } from '../../src/main/settings'
import { backoffDelay, DEFAULT_SCHEDULE, ManualSignals, SyncScheduler, type Timers } from '../../src/main/sync'

class FakeTimers implements Timers {
  pending: { fn: () => void; ms: number; id: number }[] = []
  private n = 0
  setTimeout(fn: () => void, ms: number) {
    const id = ++this.n
    this.pending.push({ fn, ms, id })
    return id
  }
  clearTimeout(h: unknown) {
    this.pending = this.pending.filter((t) => t.id !== h)
  }
  async fire() {
    const t = this.pending.shift()
    if (!t) throw new Error('no timer pending')
    t.fn()
    await new Promise((r) => setImmediate(r))
    return t.ms
  }
}

function setup(results: boolean[], waiting = () => false) {
  const timers = new FakeTimers()
  const signals = new ManualSignals(true)
  let runs = 0
  const s = new SyncScheduler({
    run: async () => results[runs++] ?? true,
    signals,
    timers,
    random: () => 0.5,
    waitingForPayment: waiting,
    onOffline: () => {},
    options: DEFAULT_SCHEDULE
  })
  return { s, timers, signals, runs: () => runs }
}
const tick = () => new Promise((r) => setImmediate(r))

describe('sync triggers and backoff', () => {
  it('backoff grows exponentially with jitter, within [step/2, step], capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (attempt, r) => {
        const d = backoffDelay(attempt, () => r, 2000, 300_000)
        const step = Math.min(300_000, 2000 * 2 ** (attempt - 1))
        expect(d).toBeGreaterThanOrEqual(step / 2 - 1)
        expect(d).toBeLessThanOrEqual(step)
      })
    )
    expect(backoffDelay(1, () => 0, 2000, 300_000)).toBe(1000)
    expect(backoffDelay(3, () => 0.999, 2000, 300_000)).toBeGreaterThan(backoffDelay(2, () => 0.999, 2000, 300_000))
  })

  it('runs at start-up, backs off after failures, resets after success, polls fast while a checkout waits', async () => {
    let waiting = false
    const { s, timers, runs } = setup([false, false, false, true, true], () => waiting)
    s.start()
    await tick()
    expect(runs()).toBe(1)
    expect(s.history).toEqual(['startup'])
    const d1 = await timers.fire()
    const d2 = await timers.fire()
    const d3 = await timers.fire()
    expect([d1, d2, d3]).toEqual([backoffDelay(1, () => 0.5, 2000, 300_000), backoffDelay(2, () => 0.5, 2000, 300_000), backoffDelay(3, () => 0.5, 2000, 300_000)])
    expect(d1 < d2 && d2 < d3).toBe(true)
    expect(timers.pending[0]!.ms).toBe(DEFAULT_SCHEDULE.idleMs)
    waiting = true
    await timers.fire()
    expect(s.history.at(-1)).toBe('checkout')
    expect(timers.pending[0]!.ms).toBe(DEFAULT_SCHEDULE.checkoutMs)
    waiting = false
    await timers.fire()
    expect(timers.pending[0]!.ms).toBe(DEFAULT_SCHEDULE.idleMs)
    s.stop()
    expect(timers.pending).toEqual([])
  })

  it('offline stops the timer; back online and resume from sleep each run a sync; triggers during a run queue one more', async () => {
    const { s, timers, signals, runs } = setup([])
    s.start()
    await tick()
    signals.setOnline(false)
    expect(timers.pending).toEqual([])
    signals.setOnline(true)
    await tick()
    expect(s.history).toEqual(['startup', 'online'])
    signals.resume()
    await tick()
    expect(s.history.at(-1)).toBe('resume')
    const before = runs()
    const p1 = s.trigger('manual')
    const p2 = s.trigger('manual')
    const p3 = s.trigger('manual')
    await Promise.all([p1, p2, p3])
    expect(runs() - before).toBe(2)
    s.stop()
  })
})

describe('settings and secrets on files', () => {
  it('persist across instances; secrets are owner-only; a corrupt file starts empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-settings-'))
    const st = new FileSettingsStore(join(dir, 'settings.json'))
    st.set({ relayUrl: 'https://relay.example', deviceId: 'dev-1', cursor: '42' })
    st.set({ cursor: undefined })
    expect(new FileSettingsStore(join(dir, 'settings.json')).get()).toEqual({ relayUrl: 'https://relay.example', deviceId: 'dev-1' })
    const sec = new FileSecretStore(join(dir, 'secrets.json'))
    sec.set('relay.deviceToken', 'rdt_secret')
    expect(new FileSecretStore(join(dir, 'secrets.json')).get('relay.deviceToken')).toBe('rdt_secret')
    expect(statSync(join(dir, 'secrets.json')).mode & 0o077).toBe(0)
    sec.delete('relay.deviceToken')
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('rdt_secret')
    writeFileSync(join(dir, 'settings.json'), '{not json')
    expect(new FileSettingsStore(join(dir, 'settings.json')).get()).toEqual({})
  })
})
