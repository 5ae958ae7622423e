import { BillingError, NotFound } from '../../shared/errors'

// Which URLs main may hand to the system browser: provider checkout pages only, over https.
// The renderer never sends a URL; it names an order and main looks the URL up itself.

export const PROVIDER_CHECKOUT_HOSTS: readonly string[] = [
  'checkout.stripe.com',
  'www.paypal.com',
  'www.sandbox.paypal.com',
  'openapi.alipay.com',
  'excashier.alipay.com',
  'openapi-sandbox.dl.alipaydev.com'
]

export function isProviderCheckoutUrl(url: string, hosts: readonly string[] = PROVIDER_CHECKOUT_HOSTS): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  return u.protocol === 'https:' && u.username === '' && u.password === '' && u.port === '' && hosts.includes(u.hostname)
}

export interface ExternalOpener {
  /** The provider URL main stored for this order (from the sync service); null when none. */
  checkoutUrl(orderId: string): string | null | Promise<string | null>
  /** The platform's opener: shell.openExternal in Electron, a recorder in the test host. */
  open(url: string): Promise<void>
  /** Other URLs it may open besides the providers' (the demo relay's sandbox checkout pages). */
  alsoAllows?(url: string): boolean
}

export function openCheckoutExternally(opener: ExternalOpener) {
  return async ({ orderId }: { orderId: string }): Promise<{ opened: true }> => {
    const url = await opener.checkoutUrl(orderId)
    if (url === null) throw new NotFound('checkout url', orderId)
    if (!isProviderCheckoutUrl(url) && opener.alsoAllows?.(url) !== true) {
      throw new BillingError('FORBIDDEN', 'refusing to open a URL outside the payment providers’ checkout hosts', {
        orderId
      })
    }
    await opener.open(url)
    return { opened: true }
  }
}

/** Without a URL source (the sync service's checkoutUrl), there is nothing to open. */
export const noCheckoutUrls: Pick<ExternalOpener, 'checkoutUrl'> = { checkoutUrl: () => null }
