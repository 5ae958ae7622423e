import QRCode from 'qrcode'
import { useEffect, useState } from 'react'

/** The QR drawn in the page as an SVG data URL (CSP allows img data:), no network. */
export function useQrDataUrl(content: string | null): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    setUrl(null)
    if (content) {
      void QRCode.toString(content, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((svg) => {
        if (live) setUrl(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`)
      })
    }
    return () => {
      live = false
    }
  }, [content])
  return url
}
