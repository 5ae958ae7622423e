import type { Relay } from '../app'

// What `npm run relay` says before it listens: which payment methods are on (each switched-off
// provider once, with why), whether the sandbox is on, whether the admin routes are on and how
// to turn them on, and the key the app pins.

export function startupLines(relay: Pick<Relay, 'core' | 'key' | 'keyCreated' | 'disabledProviders'> & Partial<Pick<Relay, 'nextKey'>> & Partial<Pick<Relay, 'disabledSignIn'>>): string[] {
  const { config } = relay.core
  const on = [...relay.core.providers.keys()]
  const lines: string[] = []
  if (config.sandbox) lines.push(`sandbox: every payment method is a sandbox (no real money), paid at /sandbox on this relay`)
  lines.push(on.length ? `payment methods on: ${on.join(', ')}` : 'payment methods on: none (set a provider’s variables, see src/relay/README.md)')
  for (const d of relay.disabledProviders) lines.push(`provider ${d.name} switched off: ${d.reason}`)
  for (const d of relay.disabledSignIn ?? []) lines.push(`sign-in by ${d.method} switched off: ${d.reason}`)
  lines.push(
    config.adminToken
      ? 'admin routes: on (Authorization: Bearer <RELAY_ADMIN_TOKEN>)'
      : 'admin routes: off (set RELAY_ADMIN_TOKEN, at least 24 characters, to mint enrolment codes and revoke devices)'
  )
  const inv = config.invoicing
  if (!inv.enabled) lines.push('invoices: off (RELAY_INVOICES=off: no invoices or credit notes are issued)')
  else {
    const problem = relay.core.invoicing.font.problem
    lines.push(problem ? `invoice PDFs off: ${problem}` : `invoices: on (year and dates in ${inv.timeZone}; seller ${inv.seller.name})`)
  }
  if (relay.keyCreated) lines.push('generated a development signing key in the data dir (set RELAY_SIGNING_KEY in production)')
  lines.push(`public key for the app's config: ${relay.key.publicKeyBase64} (keyId ${relay.key.keyId})`)
  if (relay.nextKey) lines.push(`next signing key announced to apps: ${relay.nextKey.publicKeyBase64} (keyId ${relay.nextKey.keyId}); switch when they have synced (src/relay/README.md, "Key rotation")`)
  return lines
}
