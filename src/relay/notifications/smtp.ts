import nodemailer from 'nodemailer'
import type { EmailMessage, EmailSender } from './types'

// Email over SMTP with nodemailer. The URL carries host, port, credentials and TLS
// (smtp://user:pass@host:587, smtps://… for implicit TLS); nodemailer upgrades with
// STARTTLS when the server offers it. One pooled transport per relay.

export function smtpEmailSender(url: string, from: string, opts: { tls?: { rejectUnauthorized?: boolean } } = {}): EmailSender {
  const transport = nodemailer.createTransport(url, {
    from,
    ...(opts.tls ? { tls: opts.tls } : {})
  })
  return {
    channel: 'email',
    transport: 'smtp',
    async send(message: EmailMessage) {
      const { to, subject, text, html, messageId, headers } = message
      await transport.sendMail({ from, to, subject, text, ...(html ? { html } : {}), ...(messageId ? { messageId } : {}), ...(headers ? { headers } : {}) })
    },
    close: () => transport.close()
  }
}
