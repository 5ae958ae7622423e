import type { IPayRequest } from 'wechatpay-node-v3/dist/lib/pay-request.interface'
import type { Output } from 'wechatpay-node-v3/dist/lib/interface-v2'
import { readSignedHeaders, verifyWechatSignature, type PlatformKey } from './signature'

// The http service injected into wechatpay-node-v3 (Pay#createHttp). The SDK hard-codes
// https://api.mch.weixin.qq.com in its URLs but signs only the path, so rebasing the URL
// keeps its Authorization header valid (tests point it at the fake API). Responses are
// verified with the configured platform key before the SDK sees them.

const SDK_BASE = 'https://api.mch.weixin.qq.com'

export interface WechatHttpOptions {
  baseUrl: string
  timeoutMs: number
  platformKeys: PlatformKey[]
  toleranceSeconds: number
  now: () => number
}

export class WechatResponseUnverified extends Error {
  constructor(detail: string) {
    super(`WeChat Pay response not trusted: ${detail}`)
    this.name = 'WechatResponseUnverified'
  }
}

export class WechatPayHttp implements IPayRequest {
  constructor(private readonly opts: WechatHttpOptions) {}

  private rebase(url: string): string {
    if (!url.startsWith(SDK_BASE)) throw new Error(`unexpected WeChat Pay URL ${url}`)
    return this.opts.baseUrl + url.slice(SDK_BASE.length)
  }

  private async send(url: string, init: RequestInit): Promise<Output> {
    const res = await fetch(this.rebase(url), { ...init, signal: AbortSignal.timeout(this.opts.timeoutMs) })
    const raw = Buffer.from(await res.arrayBuffer())
    if (res.status >= 300) return { status: res.status, error: raw.toString('utf8') }
    // A bill file is answered unsigned; its SHA1 came in the signed answer that named it (bill.ts).
    if (new URL(url).pathname.startsWith('/v3/billdownload/')) return { status: res.status, data: raw }
    const headers = Object.fromEntries(res.headers)
    try {
      verifyWechatSignature(
        this.opts.platformKeys,
        readSignedHeaders(headers),
        raw,
        this.opts.now(),
        this.opts.toleranceSeconds
      )
    } catch (err) {
      throw new WechatResponseUnverified(err instanceof Error ? err.message : String(err))
    }
    return { status: res.status, data: raw.length ? JSON.parse(raw.toString('utf8')) : undefined }
  }

  post(url: string, params: Record<string, unknown>, headers: Record<string, string>): Promise<Output> {
    // Same serialisation as the SDK's signature input (JSON.stringify of the same object).
    return this.send(url, { method: 'POST', headers: withoutEncoding(headers), body: JSON.stringify(params) })
  }

  get(url: string, headers: Record<string, string>): Promise<Output> {
    return this.send(url, { method: 'GET', headers: withoutEncoding(headers) })
  }

  upload(): Promise<Output> {
    return Promise.reject(new Error('uploads are not used by the relay'))
  }
}

/** fetch negotiates compression itself. */
function withoutEncoding(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'accept-encoding') out[k] = v
  return out
}
