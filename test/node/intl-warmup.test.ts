import { describe, expect, it, vi } from 'vitest'

// The ICU warm-up worker (src/node/intl-warmup.ts): it reports whether it ran, one worker per
// process, and a failure only means the main thread pays ICU's first use itself.
async function freshWarmIntl() {
  vi.resetModules()
  return (await import('../../src/node/intl-warmup')).warmIntl
}

describe('warmIntl', () => {
  it('initialises ICU on a worker for a known zone, once for every caller', async () => {
    const warmIntl = await freshWarmIntl()
    const first = warmIntl('Asia/Shanghai')
    expect(warmIntl('Europe/Berlin')).toBe(first)
    await expect(first).resolves.toBe(true)
  })

  it('reports false for a zone ICU does not know, without throwing', async () => {
    const warmIntl = await freshWarmIntl()
    await expect(warmIntl('Mars/Olympus_Mons')).resolves.toBe(false)
  })
})
