import type { EventLoopUtilization } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { HealthResponseSchema } from '../../src/shared/relay-contract'
import { EventLoopLoad } from '../../src/relay/http/event-loop'
import { startTestRelay } from './support/relay'

// /health reports the event loop's busy share over the last window: the relay's bound on
// notifications per second (docs/performance.md).

/** A stand-in for performance.eventLoopUtilization: totals moved by hand, deltas as Node gives them. */
function fakeLoop() {
  const totals = { idle: 0, active: 0 }
  const elu = (idle: number, active: number): EventLoopUtilization => ({
    idle,
    active,
    utilization: idle + active === 0 ? 0 : active / (idle + active)
  })
  const sample = (a?: EventLoopUtilization, b?: EventLoopUtilization): EventLoopUtilization => {
    if (!a) return elu(totals.idle, totals.active)
    const base = b ?? elu(totals.idle, totals.active)
    return b ? elu(a.idle - base.idle, a.active - base.active) : elu(base.idle - a.idle, base.active - a.active)
  }
  return { sample, run: (busyMs: number, idleMs: number) => ((totals.active += busyMs), (totals.idle += idleMs)) }
}

describe('event loop load', () => {
  it('is the busy share of the last complete window, and of the time so far before the first', () => {
    const loop = fakeLoop()
    const load = new EventLoopLoad(10_000, loop.sample)
    expect(load.utilization()).toBe(0)
    loop.run(2_500, 7_500)
    expect(load.utilization()).toBe(0.25) // no window closed yet: since start
    load.roll()
    loop.run(9_000, 1_000)
    expect(load.utilization()).toBe(0.25) // the window being measured does not count yet
    load.roll()
    expect(load.utilization()).toBe(0.9)
    load.roll() // a window with no time in it reads 0, not NaN
    expect(load.utilization()).toBe(0)
  })

  it('is in /health, between 0 and 1', async () => {
    const t = await startTestRelay()
    const health = await t.api('GET', '/health')
    const body = HealthResponseSchema.parse(health.body)
    expect(body.eventLoopUtilization).toBeGreaterThanOrEqual(0)
    expect(body.eventLoopUtilization).toBeLessThanOrEqual(1)
  })
})
