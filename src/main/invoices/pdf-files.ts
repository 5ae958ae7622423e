import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// Invoice PDFs kept in the app's data dir (invoices/<number>.<lang>.pdf), so one downloaded once
// opens offline. Written to a temporary name and renamed: a crash never leaves half a PDF
// under the real name. Opening goes through a port: Electron's shell.openPath in the adapter,
// a recorder in the Node host and tests.

export type PdfLang = 'zh-CN' | 'en'

/** Opens a local file with the system's viewer; resolves with an error text, '' when it opened (shell.openPath's answer). */
export type FileOpener = (path: string) => Promise<string>

export class InvoicePdfs {
  constructor(private readonly dir: string) {}

  path(number: string, lang: PdfLang): string {
    // Invoice numbers are the relay's (INV-2026-000001); anything else is made safe for a file name.
    return join(this.dir, `${number.replace(/[^A-Za-z0-9_-]/g, '_')}.${lang}.pdf`)
  }

  has(number: string, lang: PdfLang): boolean {
    return existsSync(this.path(number, lang))
  }

  save(number: string, lang: PdfLang, bytes: Buffer): string {
    mkdirSync(this.dir, { recursive: true })
    const target = this.path(number, lang)
    const tmp = `${target}.part`
    writeFileSync(tmp, bytes)
    renameSync(tmp, target)
    return target
  }
}

/** The Node stand-in of shell.openPath (host and tests): remembers what it was asked to open. */
export function recordingOpener(): FileOpener & { opened: string[] } {
  const opened: string[] = []
  const open = (async (path: string) => {
    opened.push(path)
    return ''
  }) as FileOpener & { opened: string[] }
  open.opened = opened
  return open
}
