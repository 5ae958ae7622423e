import { Worker } from 'node:worker_threads'

// ICU's first use in a process (its locale and date-format data) costs about 20 ms, once, and
// the caches it fills are shared by every thread of the process. A throwaway worker pays it, so
// the opener's first calendar or amount format on the main thread does not freeze the host's
// windows for it (docs/performance.md, "Main thread"). A failed warm-up costs nothing but the
// time: the main thread then pays the first use itself, as without it.

// The calendar's formatter first (the opener waits for it), then what amounts and notices use.
const WARM = (timeZone: string): string => `
const tz = ${JSON.stringify(timeZone)}
new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(0)
require('node:worker_threads').parentPort.postMessage('warm')
for (const locale of ['zh-CN', 'en-US']) {
  new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY' }).format(1)
  new Intl.DateTimeFormat(locale, { timeZone: tz }).format(0)
}`

let warming: Promise<boolean> | null = null

/**
 * Resolves once the worker has the calendar's formatter: true when it initialised ICU, false when
 * it failed (an unknown zone, no worker threads). The first call's promise is shared by later ones.
 */
export function warmIntl(timeZone: string): Promise<boolean> {
  warming ??= new Promise<boolean>((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(WARM(timeZone), { eval: true })
    } catch {
      resolve(false)
      return
    }
    worker.unref()
    worker.once('message', () => resolve(true))
    worker.once('error', () => resolve(false))
    worker.once('exit', (code) => resolve(code === 0))
  })
  return warming
}
