import { InvalidInput } from '../../shared/errors'
import { noticesListInput, noticesMarkReadInput } from '../../shared/ipc/schemas/notices'
import type { NotificationCentre } from '../notifications'
import type { BillingModule } from './types'

// The host app's view of the notification centre: the same checks as the IPC channels (the
// host's main process is trusted code, but a bad argument still gets a typed error).

export function hostNotifications(centre: NotificationCentre): BillingModule['notifications'] {
  return {
    list(opts = {}) {
      const parsed = noticesListInput.safeParse(opts)
      if (!parsed.success) throw new InvalidInput(parsed.error.issues[0]?.message ?? 'invalid list options', { issues: parsed.error.issues.length })
      return centre.list(parsed.data)
    },
    unread: () => centre.unread(),
    markRead(ids) {
      const parsed = noticesMarkReadInput.safeParse({ ids })
      if (!parsed.success) throw new InvalidInput(parsed.error.issues[0]?.message ?? 'invalid notice ids', { issues: parsed.error.issues.length })
      return centre.markRead(parsed.data.ids)
    },
    markAllRead: () => centre.markAllRead(),
    onNotice(cb) {
      return centre.onChange((change) => {
        for (const notice of change.added) cb(notice)
      })
    }
  }
}
