// How the relay reaches a person outside the app: an email or a text message. Sign-in codes
// go out through these today; reminders and receipts will later. A sender either delivers
// (resolves) or throws; it never logs the message's content.

export interface EmailMessage {
  to: string
  subject: string
  text: string
  /** The same content as HTML (notices); absent: plain text only (sign-in codes). */
  html?: string
  /** A stable Message-ID (notices: one per notice and recipient), so a resend is recognisable. */
  messageId?: string
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>
}

export interface SmsMessage {
  /** E.164, e.g. +8613800138000 */
  to: string
  text: string
}

export interface EmailSender {
  readonly channel: 'email'
  /** What delivers it, for start-up lines and /health: 'smtp' or 'console'. */
  readonly transport: string
  send(message: EmailMessage): Promise<void>
  close?(): void
}

export interface SmsSender {
  readonly channel: 'sms'
  readonly transport: string
  send(message: SmsMessage): Promise<void>
  close?(): void
}

/** The configured senders; an absent one switches its channel off. */
export interface Senders {
  email?: EmailSender
  sms?: SmsSender
}

export type Channel = keyof Senders
