import { z } from 'zod'
import type { Keyset } from '../../store/console-reads'

// The console's pages: newest first, by keyset. A cursor is `<created_at ms>.<unique key>` of the
// previous page's last row; opaque to the screens, which pass `next` back as `before`.

export const PAGE_DEFAULT = 50
export const PAGE_MAX = 200

export const LimitSchema = z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT)

export const CursorSchema = z
  .string()
  .max(200)
  .regex(/^\d{1,16}\.\S{1,150}$/, 'a cursor from the previous page (its `next`)')
  .transform((text): Keyset => {
    const dot = text.indexOf('.')
    return { at: Number(text.slice(0, dot)), key: text.slice(dot + 1) }
  })

export const cursorOf = (at: number, key: string): string => `${at}.${key}`

/** The page and its `next`: a full page may have more after it. */
export function paged<R, T>(rows: R[], limit: number, view: (r: R) => T, keyOf: (r: R) => Keyset): { items: T[]; next: string | null } {
  const last = rows.at(-1)
  return { items: rows.map(view), next: rows.length === limit && last ? cursorOf(keyOf(last).at, keyOf(last).key) : null }
}
