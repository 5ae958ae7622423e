import { useEffect, useState } from 'react'
import { ConsoleApiError, type ErrorInfo } from '../api'

// One read from the relay per change of `key`: its answer, or the refusal to show beside the
// control that asked. A slower earlier answer never overwrites a later one.

export interface Loaded<T> {
  data?: T
  error?: ErrorInfo
  loading: boolean
}

export function useLoad<T>(key: string | null, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: key !== null })
  useEffect(() => {
    if (key === null) return
    let current = true
    setState((s) => ({ ...s, loading: true, error: undefined }))
    load().then(
      (data) => current && setState({ data, loading: false }),
      (err: unknown) => current && setState({ loading: false, error: err instanceof ConsoleApiError ? err.info : { code: 'INTERNAL', message: String(err) } })
    )
    return () => {
      current = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key])
  return state
}
