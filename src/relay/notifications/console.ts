import type { EmailMessage, EmailSender, SmsMessage, SmsSender } from './types'

// The sandbox's senders (RELAY_SANDBOX=1 only): the message is written to the relay's
// console instead of being delivered, so the demo signs in without a mail server or an SMS
// provider. `write` receives one line per message.

export type ConsoleWrite = (line: string) => void

const stderr: ConsoleWrite = (line) => void process.stderr.write(`${line}\n`)

export function consoleEmailSender(write: ConsoleWrite = stderr): EmailSender {
  return {
    channel: 'email',
    transport: 'console',
    async send(m: EmailMessage) {
      write(`relay (sandbox) email to ${m.to}: ${m.subject} | ${m.text.replace(/\s+/g, ' ')}`)
    }
  }
}

export function consoleSmsSender(write: ConsoleWrite = stderr): SmsSender {
  return {
    channel: 'sms',
    transport: 'console',
    async send(m: SmsMessage) {
      write(`relay (sandbox) SMS to ${m.to}: ${m.text.replace(/\s+/g, ' ')}`)
    }
  }
}
