import { describe, expect, it } from 'vitest'
import type { SyncState } from '../../src/main'
import { openModule } from './support'

// The module's health through the public API: the full check on demand, the longest
// main-thread block, and what the host's logger is told.

function recordingLogger() {
  const lines: { level: string; message: string }[] = []
  const at = (level: string) => (message: string) => void lines.push({ level, message })
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } }
}

describe('the module’s health', () => {
  it('runs the full check on demand; the sync event and state carry its time and the longest block', async () => {
    const { m, clock } = openModule({ balance: 5000 })
    const events: SyncState[] = []
    m.on('sync', (s) => events.push(s))
    expect(await m.sync.fullCheck()).toEqual({ ok: true, problems: [] })
    expect(m.sync.state().health).toMatchObject({ fullCheckAt: clock.now(), fullCheckError: null })
    expect(events.at(-1)?.health.fullCheckAt).toBe(clock.now())
    expect(m.sync.state().health.longestBlockMs).toBeGreaterThanOrEqual(0)
  })

  it('logs a main-thread block over the budget once, and a full check that could not finish', async () => {
    const { lines, logger } = recordingLogger()
    const { m } = openModule({ logger, integrityWorkerUrl: new URL('file:///nonexistent/integrity-worker.js') })
    await new Promise((r) => setTimeout(r, 30)) // the watchdog's timer has ticked
    const t = performance.now()
    while (performance.now() - t < 120) {
      // a block of the main thread the test makes on purpose
    }
    await new Promise((r) => setTimeout(r, 30))
    await expect(m.sync.fullCheck()).rejects.toThrow(/the full integrity check did not finish/)
    await m.sync.now()
    const warned = () => lines.filter((l) => l.level === 'warn').map((l) => Number(/blocked for (\d+(?:\.\d)?) ms/.exec(l.message)?.[1]))
    // Each new longest block over the budget once (opening the file may have been one, before).
    expect(warned().at(-1)).toBeGreaterThanOrEqual(115)
    const count = warned().length
    await m.sync.now()
    expect(warned()).toHaveLength(count)
    expect(lines.filter((l) => l.level === 'error' && /the full integrity check did not finish/.test(l.message))).toHaveLength(1)
  })
})
