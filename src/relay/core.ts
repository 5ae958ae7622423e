import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { JobRunner } from './jobs/runner'
import { catalogForPurchase } from './catalog/catalog'
import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../node/clock'
import type { IdSource } from '../node/ids'
import { Accounts } from './accounts/accounts'
import { CatalogDelivery } from './catalog/delivery'
import { SignInCodes } from './auth/codes'
import { HostSignIn } from './auth/host-tokens'
import { AuthSecret } from './auth/secret'
import type { Senders } from './notifications'
import { RelayWallet } from './accounts/wallet'
import type { RelayConfig } from './config/config'
import { Feed } from './feed/feed'
import type { SigningKey } from './feed/keys'
import { Leases } from './feed/lease'
import { FeedSigner } from './feed/signer'
import { Ledger } from './ledger/ledger'
import { EventLoopLoad } from './http/event-loop'
import { RateLimiter } from './http/rate-limit'
import { EventApplier } from './notify/apply'
import { NotificationPipeline } from './notify/pipeline'
import { Checkouts } from './orders/checkouts'
import { OrderSweeper } from './orders/sweeper'
import { Outbox } from './outbox/outbox'
import type { PaymentProvider, ProviderName } from './providers/types'
import type { RelayStore } from './store/ports'
import { OperatorAuth } from './console/operators'
import { RefundDesk } from './refunds/desk'
import { Reconciliation } from './reconcile/service'
import { Grants } from './subscriptions/grants'
import { Coupons } from './coupons/coupons'
import { Notices } from './notifications/notices'
import { noticeListener } from './notifications/events'
import { Reminders } from './reminders/reminders'
import { RelayKeyChain } from './feed/key-chain'
import { BillingDetailsBook } from './invoices/billing-details'
import { FapiaoDesk } from './invoices/fapiao'
import { InvoiceFont, resolveInvoiceFont } from './invoices/font'
import { PdfRenderer } from './invoices/pdf-renderer'
import { Invoices } from './invoices/invoices'
import { InvoiceReads } from './invoices/pdfs'

// The relay's domain services wired over one store, clock, id source and signing key.
// Plain objects: the HTTP layer (src/relay/http) is a thin adapter over them.

export interface RelayCore {
  config: RelayConfig
  store: RelayStore
  clock: Clock
  ids: IdSource
  key: SigningKey
  /** The key-set documents GET /v1/keys serves (current and next key). */
  keyChain: RelayKeyChain
  providers: ReadonlyMap<ProviderName, PaymentProvider>
  accounts: Accounts
  wallet: RelayWallet
  ledger: Ledger
  feed: Feed
  /** Appends the catalog in force to an account's feed when it pulls. */
  catalog: CatalogDelivery
  signer: FeedSigner
  grants: Grants
  leases: Leases
  checkouts: Checkouts
  sweeper: OrderSweeper
  outbox: Outbox
  /** Coupon pricing and redemptions (src/relay/coupons). */
  coupons: Coupons
  jobs: JobRunner
  applier: EventApplier
  pipeline: NotificationPipeline
  limits: { device: RateLimiter; address: RateLimiter; notify: RateLimiter }
  /** Sign-in: one-time codes by email or SMS, and host-issued tokens (src/relay/auth). */
  signIn: { codes: SignInCodes; host: HostSignIn }
  /** Operators of the console: accounts, sessions, second factor (src/relay/console). */
  operators: OperatorAuth
  /** Refunds through the providers' refund APIs (src/relay/refunds). */
  refunds: RefundDesk
  /** Providers' bills matched against the books (src/relay/reconcile). */
  reconciliation: Reconciliation
  /** Invoices, credit notes, billing details, fapiao requests and PDFs (src/relay/invoices). */
  invoicing: { invoices: Invoices; details: BillingDetailsBook; fapiao: FapiaoDesk; reads: InvoiceReads; font: InvoiceFont; pdfs: PdfRenderer }
  /** The event loop's busy share, for /health (start/stop with the server). */
  load: EventLoopLoad
  /** Notices for the devices and by email: `notices.notify(tx, {accountId, kind, noticeId, params})`. */
  notices: Notices
  /** Reminders and dunning, as jobs (src/relay/reminders). */
  reminders: Reminders
}

export function createCore(opts: {
  config: RelayConfig
  store: RelayStore
  clock: Clock
  ids: IdSource
  key: SigningKey
  /** Default: the current key alone, nothing announced. */
  keyChain?: RelayKeyChain
  providers: ReadonlyMap<ProviderName, PaymentProvider>
  log: FastifyBaseLogger
  /** The auth secret (config.auth.secret or the data folder's) and the code senders. */
  authSecret: string
  senders: Senders
  /** The relay's public URL (unsubscribe links); the listening address by default. */
  baseUrl?: () => string
}): RelayCore {
  const { config, store, clock, ids, key, providers } = opts
  const feed = new Feed(store, key, clock, ids)
  const ledger = new Ledger(clock)
  const wallet = new RelayWallet(ledger, feed, ids)
  const grants = new Grants(feed, ids)
  const jobs = new JobRunner(store, clock, ids, { owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`, leaseMs: config.jobLeaseMs })
  const coupons = new Coupons(feed, ids, { clock, jobs, claimHoldMs: config.checkoutTtlMs })
  const inv = config.invoicing
  const invoices = new Invoices(feed, ledger, { enabled: inv.enabled, timeZone: inv.timeZone })
  const font = new InvoiceFont(resolveInvoiceFont(inv.font))
  const pdfs = new PdfRenderer(font)
  const applier = new EventApplier(store, clock, feed, wallet, grants, ledger, invoices, coupons)
  const catalog = new CatalogDelivery(store, clock, feed)
  const accounts = new Accounts(store, clock, ids, wallet)
  const auth = config.auth
  const perAddress = () => new RateLimiter(auth.perAddress, clock, auth.lockoutMs)
  const secret = new AuthSecret(opts.authSecret)
  const baseUrl = opts.baseUrl ?? (() => `http://${config.host}:${config.port}`)
  const notices = new Notices({ store, clock, feed, jobs, secret, baseUrl, ...(opts.senders.email ? { email: opts.senders.email } : {}) })
  const reminders = new Reminders({ clock, jobs, notices, wallet, grants })
  feed.onAppend(noticeListener(notices, reminders))
  return {
    config,
    store,
    clock,
    ids,
    key,
    keyChain: opts.keyChain ?? new RelayKeyChain(key, undefined),
    providers,
    accounts,
    operators: new OperatorAuth(store, clock, ids),
    refunds: new RefundDesk(store, clock, ids, providers, applier),
    reconciliation: new Reconciliation(store, clock, ids, providers),
    signIn: {
      codes: new SignInCodes({
        store,
        clock,
        ids,
        accounts,
        secret,
        senders: opts.senders,
        policy: { ttlMs: auth.codeTtlMs, maxFailures: auth.maxFailures, lockoutMs: auth.lockoutMs, codesPerTarget: auth.codesPerTarget },
        requestsPerAddress: perAddress(),
        failuresPerAddress: perAddress()
      }),
      host: new HostSignIn({ store, clock, accounts, keys: auth.hostTokenKeys })
    },
    wallet,
    ledger,
    feed,
    catalog,
    signer: new FeedSigner(feed),
    grants,
    leases: new Leases(store, clock, ids, feed, grants, wallet, config.leaseTtlMs, [...providers.keys()]),
    checkouts: new Checkouts({
      store,
      clock,
      ids,
      providers,
      catalog,
      checkoutTtlMs: config.checkoutTtlMs,
      coupons,
      feed,
      settleFree: (tx, order) => applier.recordPaid(tx, order, `free:${order.order_no}`, 'coupon: nothing to pay')
    }),
    sweeper: new OrderSweeper(store, clock, feed, coupons),
    outbox: new Outbox(store, clock, feed, wallet, ledger, grants, catalogForPurchase, config.leaseTtlMs, invoices, coupons),
    coupons,
    invoicing: {
      invoices,
      details: new BillingDetailsBook(store, clock),
      fapiao: new FapiaoDesk(store, clock, feed),
      reads: new InvoiceReads(store, clock, pdfs, inv.seller, inv.timeZone),
      font,
      pdfs
    },
    applier,
    jobs,
    notices,
    reminders,
    pipeline: new NotificationPipeline(store, clock, applier, opts.log),
    load: new EventLoopLoad(),
    limits: {
      device: new RateLimiter(config.rateLimit.devicePerMinute, clock),
      address: new RateLimiter(config.rateLimit.addressPerMinute, clock),
      notify: new RateLimiter(config.rateLimit.notifyPerMinute, clock)
    }
  }
}
