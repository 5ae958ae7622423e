import { SMTPServer } from 'smtp-server'
import { afterEach } from 'vitest'

// A real SMTP server (smtp-server) on 127.0.0.1 for the relay's mail: it takes any sender,
// checks the credentials in the URL the relay is given, and keeps every message it receives.

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
  /** The body, transfer-decoded (base64 or quoted-printable) as UTF-8; every part of a multipart one. */
  text: string
  /** The Subject header, RFC 2047 words decoded. */
  subject: string
  /** A header's raw value (unfolded), or undefined. */
  header(name: string): string | undefined
}

function headerOf(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ')
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
  )
}

function decodeBody(raw: string): string {
  const split = raw.indexOf('\r\n\r\n')
  const headers = raw.slice(0, split).toLowerCase()
  const body = raw.slice(split + 4)
  // multipart (text and HTML): each part decoded, joined by a blank line.
  const boundary = /content-type:\s*multipart\/[\w-]+;[\s\S]*?boundary="?([^"\r\n;]+)"?/i.exec(raw.slice(0, split))?.[1]
  if (boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .map((part) => decodeBody(part.replace(/^\r\n/, '')))
      .join('\n\n')
  }
  const encoding = /content-transfer-encoding:\s*([\w-]+)/.exec(headers)?.[1]
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}

export interface TestSmtp {
  url: string
  mails: ReceivedMail[]
  /** Resolves with the next mail to `to` (after the ones already read), or fails after 5 s. */
  nextMail(to: string): Promise<ReceivedMail>
  /** The 6-digit code of the next sign-in mail to `to`. */
  nextCode(to: string): Promise<string>
  /** Resolves when a message has arrived in full, before the server answers it (see `answerAfterMs`). */
  arriving(): Promise<void>
  close(): Promise<void>
}

const running: SMTPServer[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()))
})

/**
 * `keep`: not closed after each test (a file whose tests share one server closes it itself).
 * `failing.left`: that many messages are refused with 451 (a server down for a while), then it recovers.
 * `answerAfterMs`: a slow server, answering each message that long after it arrived.
 */
export async function startTestSmtp(opts: { keep?: boolean; failing?: { left: number }; answerAfterMs?: number } = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = []
  const waiting: (() => void)[] = []
  const arrivals: (() => void)[] = []
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust in a test.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'relay' && auth.password === 'smtp-test-pass') cb(null, { user: 'relay' })
      else cb(new Error('invalid credentials'))
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => void answer())
      const answer = async () => {
        for (const a of arrivals.splice(0)) a()
        if (opts.answerAfterMs) await new Promise((resolve) => setTimeout(resolve, opts.answerAfterMs))
        if (opts.failing && opts.failing.left > 0) {
          opts.failing.left--
          cb(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }))
          return
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          text: decodeBody(Buffer.concat(chunks).toString('utf8')),
          subject: decodeWords(headerOf(Buffer.concat(chunks).toString('utf8'), 'subject') ?? ''),
          header: (name: string) => headerOf(Buffer.concat(chunks).toString('utf8'), name)
        })
        for (const w of waiting.splice(0)) w()
        cb()
      }
    }
  })
  // A client killed mid-session (the SIGKILL loops) resets its socket; smtp-server reports that as an
  // 'error' event on the server, which would otherwise be thrown. Anything else still fails the run.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err
  })
  if (!opts.keep) running.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as { port: number }).port
  const read = new Map<string, number>()
  const nextMail = async (to: string): Promise<ReceivedMail> => {
    const deadline = Date.now() + 5000
    for (;;) {
      const seen = read.get(to) ?? 0
      const mine = mails.filter((m) => m.to.includes(to))
      if (mine.length > seen) {
        read.set(to, seen + 1)
        return mine[seen]!
      }
      if (Date.now() > deadline) throw new Error(`no mail to ${to}`)
      await new Promise<void>((resolve) => {
        waiting.push(resolve)
        setTimeout(resolve, 200)
      })
    }
  }
  return {
    url: `smtp://relay:smtp-test-pass@127.0.0.1:${port}`,
    mails,
    nextMail,
    async nextCode(to) {
      const mail = await nextMail(to)
      const m = /Your sign-in code is (\d{6})/.exec(mail.text)
      if (!m) throw new Error(`no code in the mail to ${to}`)
      return m[1]!
    },
    arriving: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
