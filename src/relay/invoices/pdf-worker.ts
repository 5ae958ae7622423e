import { parentPort } from 'node:worker_threads'
import { InvoiceFont, type FontSpec } from './font'
import { renderInvoicePdf, type InvoicePdfInput } from './pdf'

// The PDF renderer's thread (pdf-renderer.ts): pdfkit's layout and the font's subsetting take
// hundreds of milliseconds, which on the relay's event loop would hold every notification
// behind one download. One request at a time, answered by id; the font is read once.

export type PdfRequest = { id: number; font: FontSpec; input: InvoicePdfInput }
export type PdfAnswer = { id: number; ok: true; pdf: Uint8Array } | { id: number; ok: false; error: string }

const fonts = new Map<string, InvoiceFont>()

parentPort!.on('message', (req: PdfRequest) => {
  const key = `${req.font.path}#${req.font.face ?? ''}`
  let font = fonts.get(key)
  if (!font) fonts.set(key, (font = new InvoiceFont({ font: req.font })))
  renderInvoicePdf(font, req.input).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength)
      parentPort!.postMessage({ id: req.id, ok: true, pdf: bytes } satisfies PdfAnswer)
    },
    (err: unknown) => parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies PdfAnswer)
  )
})
