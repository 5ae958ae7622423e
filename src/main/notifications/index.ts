// The notification centre (issue 18): notices from the feed and local reminders, read state,
// settings, desktop notifications through a port.
export { NotificationCentre, type NotificationDeps, type NoticeListener } from './service'
export { RecordingDesktopNotifier, inQuietHours, localTimeZone, type DesktopNotice, type DesktopNotifier } from './desktop'
export { dueReminders, REMINDER_DAYS, type ReminderInput, type LeaseFacts } from './reminders'
export { dedupeKey, REMINDER_KINDS } from './keys'
export { DEFAULT_NOTICE_SETTINGS, readNoticeSettings, writeNoticeSettings } from './settings'
