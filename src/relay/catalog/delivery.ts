import type { Clock } from '../../node/clock'
import type { Feed } from '../feed/feed'
import type { RelayStore } from '../store/ports'
import { BUILT_IN_VERSION, catalogInForce } from './catalog'

// The catalog reaches each account through its own feed, signed like every record: when a
// device pulls and the account's feed does not carry the version in force yet, a `catalog`
// record of it is appended in a unit of its own before the page is read, so this very pull
// serves it. Nothing is written to every account at publish time (a relay with many accounts
// would write them all at once, most of them for devices that sync days later), and an
// account's feed carries each version once (catalog_deliveries). Version 1 is the built-in
// one every app has compiled in, so it is never sent.

export class CatalogDelivery {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly feed: Feed
  ) {}

  /** Appends the version in force to the account's feed unless it carries it already. */
  async deliver(accountId: string): Promise<void> {
    const now = this.clock.now()
    // The common case (delivered already) is one read, no write.
    const due = await this.store.read(async (tx) => {
      const v = await catalogInForce(tx, now)
      return v.version > BUILT_IN_VERSION && !(await tx.catalog.delivered(accountId, v.version)) ? v : null
    })
    if (!due) return
    await this.store.unit(async (tx) => {
      if (await tx.catalog.delivered(accountId, due.version)) return
      const { id } = await this.feed.append(tx, accountId, 'catalog', { publishedAt: due.publishedAt, document: due.document })
      if (!(await tx.catalog.claimDelivery(accountId, due.version, id, now))) {
        // Another pull of the account delivered it meanwhile (a store running units side by side): undo ours.
        throw new CatalogDeliveryRaced()
      }
    }).catch((err: unknown) => {
      if (!(err instanceof CatalogDeliveryRaced)) throw err
    })
  }
}

class CatalogDeliveryRaced extends Error {}
