// The Content-Security-Policy sent as a header (Electron: session.webRequest; host: every
// HTML response), in addition to the meta tag in index.html: scripts and styles only from
// the app itself, no plugins, no framing, no form posts, network only back to main's socket.
// The packaged app loads file://, which gets no header: there the meta tag is the whole
// policy, so it is this same policy (delivery 'meta'; test/ipc/security.test.ts holds
// index.html to it). 'self' already admits a same-origin ws:, so only the host's header
// names its socket, and only the dev server's policy opens ws://127.0.0.1:*.

export interface CspOptions {
  /** Extra connect-src sources (the host's ws://127.0.0.1:port). */
  connect?: readonly string[]
  /** electron-vite dev server: inline React refresh preamble and its HMR socket. */
  dev?: boolean
  /** 'meta': without frame-ancestors, which a browser ignores in a meta tag. Default 'header'. */
  delivery?: 'header' | 'meta'
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const connect = ["'self'", ...(opts.connect ?? []), ...(opts.dev ? ['ws://localhost:*', 'ws://127.0.0.1:*'] : [])]
  return [
    "default-src 'none'",
    opts.dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'",
    // React sets style attributes (progress bars); no stylesheet comes from elsewhere.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    opts.delivery === 'meta' ? null : "frame-ancestors 'none'",
    "object-src 'none'"
  ]
    .filter((d) => d !== null)
    .join('; ')
}
