import { z } from 'zod'
import { NOTICE_KINDS, NoticeKindSchema, NoticeSchema } from '../../relay-contract'
import { timestampSchema } from './common'

// The notification centre's channels (src/main/notifications): the list, newest first and
// paged by an opaque cursor, the unread count, mark read, and which kinds to show and when to
// stay quiet. Notices carry facts; the renderer writes their sentences (src/shared/notices).

export const noticeItemSchema = z.object({
  id: z.string(),
  kind: NoticeKindSchema,
  at: timestampSchema,
  params: NoticeSchema.shape.params,
  /** 'local': a reminder computed on this device from the lease and the subscription. */
  source: z.enum(['relay', 'local']),
  readAt: timestampSchema.nullable()
})

/** "HH:MM", 24 h, in the computer's local time. */
export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (00:00–23:59)')

export const noticeSettingsSchema = z.strictObject({
  /** Kinds switched off: neither listed nor shown on the desktop (kept, and back when switched on). */
  muted: z.array(NoticeKindSchema).max(NOTICE_KINDS.length),
  /** No desktop notification from start to end (across midnight when end < start); null: never quiet. */
  quietHours: z
    .strictObject({ start: clockTimeSchema, end: clockTimeSchema })
    .refine((q) => q.start !== q.end, { message: 'quiet hours need a start and an end that differ' })
    .nullable()
})

export const noticesListInput = z.strictObject({
  /** nextCursor of the previous page; omitted: the newest page. */
  before: z.string().min(1).max(260).optional(),
  limit: z.int().min(1).max(100).default(20)
})
export const noticesListOutput = z.object({
  items: z.array(noticeItemSchema),
  nextCursor: z.string().nullable(),
  unread: z.int().min(0)
})
export const unreadOutput = z.object({ unread: z.int().min(0) })
export const noticesMarkReadInput = z.strictObject({
  ids: z.array(z.string().min(1).max(200)).min(1).max(100)
})
/** The event: the unread count now, and the notices that just arrived (for the host app and the bell). */
export const noticesChangedSchema = z.object({ unread: z.int().min(0), added: z.array(noticeItemSchema) })

export type NoticeItem = z.infer<typeof noticeItemSchema>
export type NoticeSettings = z.infer<typeof noticeSettingsSchema>
export type NoticesChanged = z.infer<typeof noticesChangedSchema>
