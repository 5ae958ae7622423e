import type { Handlers } from '../../shared/ipc/server'
import type { NotificationCentre } from '../notifications'

// The notification centre's channels (inputs already checked against the contract's schemas).

export const NOTICE_CHANNELS = [
  'notices.list',
  'notices.unread',
  'notices.markRead',
  'notices.markAllRead',
  'notices.settings',
  'notices.setSettings'
] as const
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number]

export function noticeHandlers<S>(centre: NotificationCentre): Pick<Handlers<S>, NoticeChannel> {
  return {
    'notices.list': (input) => centre.list(input),
    'notices.unread': () => ({ unread: centre.unread() }),
    'notices.markRead': (input) => ({ unread: centre.markRead(input.ids) }),
    'notices.markAllRead': () => ({ unread: centre.markAllRead() }),
    'notices.settings': () => centre.settings(),
    'notices.setSettings': (input) => centre.setSettings(input)
  }
}
