import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { RelayConfig } from '../config/config'

// The operator console's built files (src/console → out/console), served under /console with a
// strict policy: scripts, styles and requests from this origin only, no inline script or style
// element, no framing, no plugins. The console's data comes from /v1/console/* and /v1/admin/*
// on the same origin, so connect-src 'self' is all it needs. ECharts draws on a canvas and
// sets element styles through the DOM, which style-src does not govern.

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'"
].join('; ')

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
}

export function registerConsoleApp(app: FastifyInstance, config: Pick<RelayConfig, 'consoleDir'>): void {
  const root = normalize(config.consoleDir)
  const send = async (reply: FastifyReply, file: string) => {
    const path = normalize(join(root, file))
    // Never outside the build folder, whatever the URL says.
    if (path !== root && !path.startsWith(root + sep)) return secure(reply).code(404).type('text/plain; charset=utf-8').send('not found')
    let body: Buffer
    try {
      body = await readFile(path)
    } catch {
      if (file === 'index.html') {
        return secure(reply)
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('运营后台尚未构建：请运行 npm run console:build 后刷新。\nThe operator console is not built: run `npm run console:build`, then reload.')
      }
      return secure(reply).code(404).type('text/plain; charset=utf-8').send('not found')
    }
    // Hashed asset names never change; the page itself is read again on each visit.
    const cache = file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    return secure(reply).header('cache-control', cache).type(TYPES[extname(path)] ?? 'application/octet-stream').send(body)
  }
  app.get('/console', async (_req, reply) => reply.redirect('/console/'))
  app.get('/console/', async (_req, reply) => send(reply, 'index.html'))
  app.get<{ Params: { '*': string } }>('/console/*', async (req, reply) => {
    const file = req.params['*']
    // A path without an extension is a place in the app (hash routes make this rare): the page.
    return send(reply, extname(file) ? file : 'index.html')
  })
}
