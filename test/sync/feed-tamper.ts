import { nodeHttpFetch, type RelayFetch } from '../../src/main/sync/http-transport'
import type { FeedPage } from '../../src/shared/relay-contract'

/**
 * A man in the middle on GET /v1/feed: while an edit is set, every page the relay answers is
 * passed through it (with the cursor and nonce the app asked with) before the app reads it.
 */
export function feedTamper(): { fetch: RelayFetch; set(edit: ((page: FeedPage, cursor: string | null, nonce: string) => FeedPage) | null): void } {
  let edit: ((page: FeedPage, cursor: string | null, nonce: string) => FeedPage) | null = null
  const fetch: RelayFetch = async (url, init) => {
    const res = await nodeHttpFetch(url, init)
    if (!edit || !url.includes('/v1/feed')) return res
    const page = JSON.parse(await res.text()) as FeedPage
    const query = new URL(url).searchParams
    const out = JSON.stringify(edit(page, query.get('cursor'), query.get('nonce') ?? ''))
    return { status: res.status, text: async () => out }
  }
  return {
    fetch,
    set(e) {
      edit = e
    }
  }
}
