import { wallTime } from '../../shared/calendar'
import type { NoticeKind, Notice } from '../../shared/relay-contract'

// One event, one notice. The relay keys its ending reminders by (grant, offset), which this
// device cannot know; both sides know the facts the reminder is about, so a reminder's event is
// (kind, plan, the end's day in the billing time zone, days left). A local reminder and the
// relay's reminder for the same end of the same plan at the same offset share this key, and the
// second to arrive takes the first's place (store.ts). Other kinds have no key: the relay's
// noticeId is the event's own key.

export const REMINDER_KINDS: ReadonlySet<NoticeKind> = new Set(['subscription_ending', 'renewal_short', 'trial_ending'])

export function dedupeKey(n: Pick<Notice, 'kind' | 'params'>, timeZone: string): string | null {
  const { planCode, endsAt, daysLeft } = n.params
  if (!REMINDER_KINDS.has(n.kind) || planCode === undefined || endsAt === undefined || daysLeft === undefined) return null
  return `${n.kind}:${planCode}:${dayOf(endsAt, timeZone)}:${daysLeft}`
}

/** YYYY-MM-DD of an instant in a zone. */
export function dayOf(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone)
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`
}
