import type { Clock } from '../../node/clock'
import type { Feed } from '../feed/feed'
import type { RelayStore, StoreTx } from '../store/ports'
import { BUILT_IN_VERSION, catalogInForce, type CatalogVersion } from './catalog'

// The catalog reaches each account through its own feed, signed like every record: when a
// device pulls and the account's feed does not carry the version in force yet, a `catalog`
// record of it is appended in a unit of its own before the page is read, so this very pull
// serves it. A checkout appends the version it was priced by the same way, in its own unit,
// so the payment and grant records of that order come after it in the feed and the app
// records the plan at the price the order paid. Nothing is written to every account at
// publish time (a relay with many accounts would write them all at once, most of them for
// devices that sync days later), and an account's feed carries each version once
// (catalog_deliveries). Version 1 is the built-in one every app has compiled in: never sent.

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
    await this.store.unit((tx) => this.appendIfMissing(tx, accountId, due))
  }

  /**
   * Inside the caller's unit: appends `v` to the account's feed unless it carries it already
   * (or it is version 1). Never fails the caller's work for a delivery another unit made first.
   */
  async appendIfMissing(tx: StoreTx, accountId: string, v: CatalogVersion): Promise<void> {
    if (v.version <= BUILT_IN_VERSION || (await tx.catalog.delivered(accountId, v.version))) return
    await tx
      .nested(async (t) => {
        const { id } = await this.feed.append(t, accountId, 'catalog', { publishedAt: v.publishedAt, document: v.document })
        // Another unit delivered it meanwhile (a store running units side by side): undo ours alone.
        if (!(await t.catalog.claimDelivery(accountId, v.version, id, this.clock.now()))) throw new DeliveryRaced()
      })
      .catch((err: unknown) => {
        if (!(err instanceof DeliveryRaced)) throw err
      })
  }
}

class DeliveryRaced extends Error {}
