import { useCallback, useEffect, useRef, useState } from 'react'
import { refusalOf, type Refusal } from './form-rules'
import { errorText, type ConsoleLocale, type Messages, type T } from './i18n'
import type { common } from './i18n/common'
import './manage.css'

export { fieldError, fromLocalInput, refusalOf, toLocalInput, wholeNumber, type Refusal } from './form-rules'

// Small pieces the management screens share: a load with its refusal, a refusal shown beside
// its control, a confirmation that follows the language; the plain rules are ./form-rules.ts.

/** Shown beside a control; nothing when there is no message. */
export function Err({ text, testId }: { text: string | undefined; testId?: string }) {
  if (!text) return null
  return (
    <span className="error" role="alert" data-testid={testId}>
      {text}
    </span>
  )
}

/** The refusal in the console's words when its code is known; the relay's own message added when no field shows it. */
export function generalText(r: Refusal | undefined, locale: ConsoleLocale): string | undefined {
  if (!r) return undefined
  const named = Object.keys(r.fields).length > 0
  const words = errorText(r.info, locale)
  // A known code's words are general ("not found"); the relay's message says which one and why.
  const detail = !named && words !== r.info.message && ['INVALID_INPUT', 'NOT_FOUND'].includes(r.info.code)
  return words + (detail ? ` (${r.info.message})` : '')
}

/**
 * A confirmation said after an action, in the language shown when it is read (kept as a
 * function, so switching language re-words it).
 */
export type Say<M extends Messages<string>> = (t: T<(keyof M['zh-CN'] & string) | keyof (typeof common)['zh-CN']>, locale: ConsoleLocale) => string

/** Loads `fn` now and on reload(); the data, its refusal, and whether it is loading. */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): { data: T | undefined; error: Refusal | undefined; loading: boolean; reload(): void } {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<Refusal>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setLoading(true)
    fn().then(
      (d) => live && (setData(d), setError(undefined), setLoading(false)),
      (e: unknown) => live && (setError(refusalOf(e)), setLoading(false))
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  return { data, error, loading, reload: useCallback(() => setTick((n) => n + 1), []) }
}


/**
 * A list read in keyset pages (the relay answers `next`, a cursor, null at the end): the first
 * page now and on reload(), more() appends the next one. A page asked for before a reload or a
 * change of `deps` is dropped when it arrives.
 */
export function usePages<P extends { next: string | null }, R>(
  fn: (cursor: string | undefined) => Promise<P>,
  rowsOf: (page: P) => R[],
  deps: readonly unknown[]
): { rows: R[]; loaded: boolean; next: string | null; error: Refusal | undefined; loading: boolean; more(): void; reload(): void } {
  const [state, setState] = useState<{ rows: R[]; loaded: boolean; next: string | null; error?: Refusal; loading: boolean }>({ rows: [], loaded: false, next: null, loading: true })
  const generation = useRef(0)
  const load = useCallback(
    (cursor: string | undefined) => {
      const mine = ++generation.current
      setState((s) => ({ ...s, loading: true }))
      fn(cursor).then(
        (page) =>
          mine === generation.current &&
          setState((s) => ({ rows: cursor === undefined ? rowsOf(page) : [...s.rows, ...rowsOf(page)], loaded: true, next: page.next, loading: false })),
        (e: unknown) => mine === generation.current && setState((s) => ({ ...s, error: refusalOf(e), loading: false }))
      )
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    deps
  )
  useEffect(() => load(undefined), [load])
  const next = state.next
  return {
    ...state,
    error: state.error,
    more: useCallback(() => {
      if (next !== null) load(next)
    }, [load, next]),
    reload: useCallback(() => load(undefined), [load])
  }
}

/**
 * A file chooser in the console's words (the browser's own button speaks the browser's
 * language): a button-styled label around a hidden file input, and the chosen file's name.
 */
export function FilePicker(props: { name: string; accept: string; choose: string; none: string; file: File | undefined; onFile(f: File | undefined): void }) {
  return (
    <span className="file-picker">
      <label className="button">
        {props.choose}
        <input type="file" name={props.name} accept={props.accept} hidden onChange={(e) => props.onFile(e.target.files?.[0])} />
      </label>
      <span className="file-name">{props.file?.name ?? props.none}</span>
    </span>
  )
}
