import { Worker } from 'node:worker_threads'
import { BillingError } from '../../shared/errors'
import type { InvoiceFont } from './font'
import type { InvoicePdfInput } from './pdf'
import type { PdfAnswer, PdfRequest } from './pdf-worker'

// Invoice PDFs rendered on a worker thread (pdf-worker.ts), started on the first render and kept
// for the next ones; it holds the process open only while a render is in flight. A worker that
// dies or fails to start fails the renders in flight (UNAVAILABLE: the download is retried) and
// the next render starts a new one. The relay runs from its TypeScript sources, so the worker
// boots through tsx's loader (src/node/tsx-boot.mjs).

const TIMEOUT_MS = 60_000

export class PdfRenderer {
  private worker: Worker | undefined
  private seq = 0
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()

  constructor(private readonly font: InvoiceFont) {}

  render(input: InvoicePdfInput): Promise<Buffer> {
    // A missing font is said here, with its reason, before any thread starts.
    const spec = this.font.spec()
    const worker = this.start()
    const id = ++this.seq
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, 'the PDF took too long to render'), TIMEOUT_MS)
      this.pending.set(id, { resolve, reject, timer })
      worker.ref()
      worker.postMessage({ id, font: spec, input } satisfies PdfRequest)
    })
  }

  private start(): Worker {
    if (this.worker) return this.worker
    const entry = new URL('./pdf-worker.ts', import.meta.url).href
    const worker = new Worker(new URL('../../node/tsx-boot.mjs', import.meta.url), { workerData: { entry } })
    worker.unref()
    worker.on('message', (a: PdfAnswer) => {
      const p = this.pending.get(a.id)
      if (!p) return
      this.pending.delete(a.id)
      clearTimeout(p.timer)
      if (this.pending.size === 0) worker.unref()
      if (a.ok) p.resolve(Buffer.from(a.pdf.buffer, a.pdf.byteOffset, a.pdf.byteLength))
      else p.reject(new BillingError('UNAVAILABLE', `the invoice PDF could not be rendered: ${a.error}`, { reason: 'render_failed' }))
    })
    const gone = (why: string) => {
      if (this.worker === worker) this.worker = undefined
      for (const id of [...this.pending.keys()]) this.fail(id, why)
    }
    worker.on('error', (err) => gone(`the PDF renderer failed: ${err.message}`))
    worker.on('exit', (code) => gone(`the PDF renderer stopped (exit ${code})`))
    this.worker = worker
    return worker
  }

  private fail(id: number, why: string): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    p.reject(new BillingError('UNAVAILABLE', `${why}; try the download again`, { reason: 'render_failed' }))
  }

  /** Ends the thread (renders in flight fail). */
  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (w) await w.terminate()
  }
}
