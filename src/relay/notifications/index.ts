import { consoleEmailSender, consoleSmsSender, type ConsoleWrite } from './console'
import { smtpEmailSender } from './smtp'
import type { Channel, Senders } from './types'

export type { Channel, EmailMessage, EmailSender, Senders, SmsMessage, SmsSender } from './types'
export { smtpEmailSender } from './smtp'
export { consoleEmailSender, consoleSmsSender, type ConsoleWrite } from './console'

export interface SenderSettings {
  smtp?: { url: string; from: string }
  /** The sandbox writes what has no real sender to the console. */
  sandbox: boolean
}

/**
 * The senders the settings allow. Production has no SMS provider yet, so SMS is off there;
 * email is off without RELAY_SMTP_URL. The sandbox fills each gap with a console sender.
 */
export function buildSenders(
  settings: SenderSettings,
  write?: ConsoleWrite
): { senders: Senders; disabled: { channel: Channel; reason: string }[] } {
  const senders: Senders = {}
  const disabled: { channel: Channel; reason: string }[] = []
  if (settings.smtp) senders.email = smtpEmailSender(settings.smtp.url, settings.smtp.from)
  else if (settings.sandbox) senders.email = consoleEmailSender(write)
  else disabled.push({ channel: 'email', reason: 'RELAY_SMTP_URL is not set' })
  if (settings.sandbox) senders.sms = consoleSmsSender(write)
  else disabled.push({ channel: 'sms', reason: 'no SMS sender is configured (the console sender runs only with RELAY_SANDBOX=1)' })
  return { senders, disabled }
}
