import { useId, type InputHTMLAttributes } from 'react'

/**
 * A labelled input with its hint and, beside it, its problem: announced when it appears
 * (aria-live), tied to the input by aria-describedby and marked aria-invalid.
 */
export function TextField({
  label,
  hint,
  problem,
  ...input
}: { label: string; hint: string; problem: string } & InputHTMLAttributes<HTMLInputElement>): React.JSX.Element {
  const ids = { input: useId(), hint: useId(), problem: useId() }
  return (
    <div className="field">
      <label htmlFor={ids.input}>{label}</label>
      <input {...input} id={ids.input} aria-describedby={`${ids.hint} ${ids.problem}`} aria-invalid={problem ? true : undefined} />
      <span id={ids.hint} className="muted">
        {hint}
      </span>
      <span id={ids.problem} className="error" aria-live="polite" role={problem ? 'alert' : undefined}>
        {problem}
      </span>
    </div>
  )
}
