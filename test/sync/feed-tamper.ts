import { nodeHttpFetch, type RelayFetch } from '../../src/main/sync/http-transport'
import type { FeedPage } from '../../src/shared/relay-contract'

/**
 * A man in the middle on GET /v1/feed: while an edit is set, every page the relay answers is
 * passed through it (with the cursor the app asked from) before the app reads it.
 */
export function feedTamper(): { fetch: RelayFetch; set(edit: ((page: FeedPage, cursor: string | null) => FeedPage) | null): void } {
  let edit: ((page: FeedPage, cursor: string | null) => FeedPage) | null = null
  const fetch: RelayFetch = async (url, init) => {
    const res = await nodeHttpFetch(url, init)
    if (!edit || !url.includes('/v1/feed')) return res
    const page = JSON.parse(await res.text()) as FeedPage
    const out = JSON.stringify(edit(page, new URL(url).searchParams.get('cursor')))
    return { status: res.status, text: async () => out }
  }
  return {
    fetch,
    set(e) {
      edit = e
    }
  }
}
