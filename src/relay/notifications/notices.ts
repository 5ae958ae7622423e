import { createHash } from 'node:crypto'
import type { Clock } from '../../node/clock'
import { InvalidInput } from '../../shared/errors'
import { NoticeSchema, type Notice, type NoticeKind } from '../../shared/relay-contract'
import type { AuthSecret } from '../auth/secret'
import type { Feed } from '../feed/feed'
import type { JobRunner } from '../jobs/runner'
import type { JobRow, NoticeLanguage, RelayStore, StoreTx } from '../store/ports'
import { renderNoticeEmail, TRANSACTIONAL } from './templates'
import type { EmailSender } from './types'
import { readUnsubscribeToken, unsubscribeToken } from './unsubscribe'

// Notices (issue 18): one notice per (account, event key) for every device, carried in the feed
// record of its event (or, for a reminder, in a 'notice' record of its own), and,
// when the account has an email and has not opted out of the kind (transactional kinds cannot
// be opted out of), one email job, enqueued in the same unit of work. The email job sends once
// per (notice, recipient): it skips a notice already recorded as sent, sends with a stable
// Message-ID, then records it; a failed delivery is retried by the job's backoff and the job is
// dead after its last attempt (listed at GET /v1/admin/jobs/dead). A crash after the SMTP
// server accepted a message and before it was recorded sends it again on the retry, with the
// same Message-ID (the only window in which a message can go out twice: SMTP has no
// idempotency key).

export const NOTICE_EMAIL_JOB = 'notices.email'

export interface NoticeInput {
  accountId: string
  kind: NoticeKind
  /** The key of the event (one event, one notice on every device): e.g. `payment:<orderNo>`. */
  noticeId: string
  params?: Notice['params']
}

interface EmailJob {
  accountId: string
  to: string
  notice: Notice
}

export class Notices {
  constructor(
    private readonly deps: {
      store: RelayStore
      clock: Clock
      feed: Feed
      jobs: JobRunner
      /** Absent: no email is queued (RELAY_SMTP_URL unset outside the sandbox); feed records still are. */
      email?: EmailSender
      secret: AuthSecret
      /** The relay's public URL, for unsubscribe links. */
      baseUrl: () => string
    }
  ) {
    deps.jobs.register(NOTICE_EMAIL_JOB, { handler: { idempotent: (job) => this.sendEmail(job) }, maxAttempts: 8 })
  }

  /**
   * The notice of an event that has no feed record of its own (a reminder), inside the caller's
   * unit of work: a 'notice' record and (see above) its email job. The same (account, noticeId)
   * again changes nothing and answers false.
   */
  async notify(tx: StoreTx, input: NoticeInput): Promise<boolean> {
    const notice = this.parse(input)
    if (!(await tx.notices.claim({ accountId: input.accountId, noticeId: notice.noticeId, kind: notice.kind, at: notice.at }))) return false
    await this.deps.feed.append(tx, input.accountId, 'notice', notice)
    await this.queueEmail(tx, input.accountId, notice)
    return true
  }

  /**
   * The notice of an event that rides in the event's own feed record (Feed.onAppend), inside the
   * caller's unit of work: its email job, and the notice returned for the record to carry. The
   * record is the notice's only trace on the relay (no `notices` row: that table dedupes the
   * notices that have no record of their own). A record sent again (a grant's later change)
   * carries it again: the device keeps one notice per noticeId and the email job is keyed by it,
   * so nothing is told twice.
   */
  async ride(tx: StoreTx, input: NoticeInput): Promise<Notice> {
    const notice = this.parse(input)
    await this.queueEmail(tx, input.accountId, notice)
    return notice
  }

  private parse(input: NoticeInput): Notice {
    const parsed = NoticeSchema.safeParse({ noticeId: input.noticeId, kind: input.kind, at: this.deps.clock.now(), params: input.params ?? {} })
    if (!parsed.success) {
      throw new InvalidInput('notice is malformed', { fields: parsed.error.issues.map((i) => i.path.join('.') || '(notice)') })
    }
    return parsed.data
  }

  /** Its email job (idempotent by notice and recipient), when the account has an email and has not opted out. */
  private async queueEmail(tx: StoreTx, accountId: string, notice: Notice): Promise<void> {
    if (!this.deps.email) return
    const to = (await tx.signIn.identities(accountId)).find((i) => i.kind === 'email')?.subject
    if (!to) return
    if (!TRANSACTIONAL.has(notice.kind) && (await tx.notices.optedOut(accountId, notice.kind))) return
    const job: EmailJob = { accountId, to, notice }
    await this.deps.jobs.add(tx, NOTICE_EMAIL_JOB, `${accountId}|${notice.noticeId}|${to}`, job)
  }

  async setLanguage(accountId: string, language: NoticeLanguage): Promise<void> {
    await this.deps.store.unit(async (tx) => tx.notices.setLanguage(accountId, language, this.deps.clock.now()))
  }

  language(accountId: string): Promise<NoticeLanguage> {
    return this.deps.store.read(async (tx) => tx.notices.language(accountId))
  }

  /** Records the opt-out a link names; undefined when the token is not one of ours. */
  async unsubscribe(token: string): Promise<{ kind: NoticeKind; language: NoticeLanguage } | undefined> {
    const target = readUnsubscribeToken(this.deps.secret, token)
    if (!target || TRANSACTIONAL.has(target.kind)) return undefined
    return this.deps.store.unit(async (tx) => {
      if (!(await tx.accounts.get(target.accountId))) return undefined
      await tx.notices.optOut(target.accountId, target.kind, this.deps.clock.now())
      return { kind: target.kind, language: await tx.notices.language(target.accountId) }
    })
  }

  unsubscribeUrl(accountId: string, kind: NoticeKind): string {
    return `${this.deps.baseUrl()}/v1/unsubscribe?token=${unsubscribeToken(this.deps.secret, accountId, kind)}`
  }

  private async sendEmail(row: JobRow): Promise<void> {
    const { accountId, to, notice } = JSON.parse(row.payload) as EmailJob
    const { store, email } = this.deps
    if (!email) throw new Error('no email sender configured')
    const state = await store.read(async (tx) => ({
      sent: await tx.notices.email(notice.noticeId, to),
      language: await tx.notices.language(accountId),
      optedOut: await tx.notices.optedOut(accountId, notice.kind)
    }))
    if (state.sent) return
    const transactional = TRANSACTIONAL.has(notice.kind)
    // An opt-out made after the job was queued is honoured too.
    if (!transactional && state.optedOut) return
    const unsubscribe = transactional ? undefined : this.unsubscribeUrl(accountId, notice.kind)
    const mail = renderNoticeEmail(notice, state.language, unsubscribe)
    const messageId = `<${createHash('sha256').update(`${accountId}|${notice.noticeId}|${to}`).digest('hex').slice(0, 40)}@notices.relay>`
    await email.send({ to, ...mail, messageId, ...(unsubscribe ? { headers: { 'List-Unsubscribe': `<${unsubscribe}>` } } : {}) })
    await store.unit(async (tx) =>
      tx.notices.recordEmail({ noticeId: notice.noticeId, recipient: to, accountId, kind: notice.kind, language: state.language, messageId, sentAt: this.deps.clock.now() })
    )
  }
}
