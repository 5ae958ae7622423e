import { wallTime } from '../../shared/calendar'
import type { NoticeSettings } from '../../shared/ipc/schemas/notices'

// The desktop notification port. The Electron adapter (src/main/electron/desktop-notifier.ts)
// shows them with Electron's Notification; under plain Node (the test host, tests) the
// stand-in below records what it was asked to show.

export interface DesktopNotice {
  id: string
  title: string
  body: string
}

export interface DesktopNotifier {
  show(notice: DesktopNotice): void
}

/** Plain Node: shows nothing, remembers everything it was asked to show, in order. */
export class RecordingDesktopNotifier implements DesktopNotifier {
  readonly shown: DesktopNotice[] = []
  show(notice: DesktopNotice): void {
    this.shown.push({ ...notice })
  }
}

/** The computer's own zone: quiet hours are the user's local time, not the billing zone. */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone

/** Whether `now` falls in the quiet hours (start inclusive, end exclusive; across midnight when end < start). */
export function inQuietHours(quiet: NoticeSettings['quietHours'], now: number, timeZone: string): boolean {
  if (!quiet) return false
  const w = wallTime(now, timeZone)
  const minute = w.hour * 60 + w.minute
  const start = minutesOf(quiet.start)
  const end = minutesOf(quiet.end)
  return start < end ? minute >= start && minute < end : minute >= start || minute < end
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
