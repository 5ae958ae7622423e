import { existsSync, readFileSync } from 'node:fs'
import { BillingError } from '../../shared/errors'

// The CJK font embedded (as a subset: only the glyphs used) in invoice PDFs. Noto Sans CJK is
// under the SIL Open Font License, which allows embedding. RELAY_INVOICE_FONT names the file
// (`path` or `path#PostScriptName`; a .ttc collection needs the face's name, Simplified Chinese
// by default); without it the relay looks where Debian's fonts-noto-cjk puts it.

/** Where the relay looks when RELAY_INVOICE_FONT is unset (Debian / Ubuntu fonts-noto-cjk). */
export const DEFAULT_FONT_PATHS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc'
]
const SC_FACE = 'NotoSansCJKsc-Regular'

export interface FontSpec {
  path: string
  /** The face in a collection (.ttc), else undefined. */
  face: string | undefined
}

/** The font to embed, or why there is none (said at start-up, and by the first render). */
export function resolveInvoiceFont(setting: string | undefined): { font: FontSpec } | { problem: string } {
  if (setting) {
    const [path, face] = setting.split('#') as [string, string | undefined]
    if (!existsSync(path)) return { problem: `RELAY_INVOICE_FONT: no file at ${path}` }
    return { font: { path, face: face || (path.toLowerCase().endsWith('.ttc') ? SC_FACE : undefined) } }
  }
  const found = DEFAULT_FONT_PATHS.find((p) => existsSync(p))
  if (!found) return { problem: `no CJK font found (looked at ${DEFAULT_FONT_PATHS.join(', ')}): install fonts-noto-cjk or set RELAY_INVOICE_FONT` }
  return { font: { path: found, face: found.endsWith('.ttc') ? SC_FACE : undefined } }
}

/** Reads the font once, on first use; a missing font is UNAVAILABLE with the reason. */
export class InvoiceFont {
  private bytes: Buffer | undefined

  constructor(private readonly resolved: { font: FontSpec } | { problem: string }) {}

  get problem(): string | undefined {
    return 'problem' in this.resolved ? this.resolved.problem : undefined
  }

  /** The font's file and face, for a renderer on another thread; UNAVAILABLE with the reason when there is none. */
  spec(): FontSpec {
    if ('problem' in this.resolved) throw new BillingError('UNAVAILABLE', `invoice PDFs are off: ${this.resolved.problem}`, { reason: 'no_font' })
    return this.resolved.font
  }

  load(): { bytes: Buffer; face: string | undefined } {
    if ('problem' in this.resolved) throw new BillingError('UNAVAILABLE', `invoice PDFs are off: ${this.resolved.problem}`, { reason: 'no_font' })
    this.bytes ??= readFileSync(this.resolved.font.path)
    return { bytes: this.bytes, face: this.resolved.font.face }
  }
}
