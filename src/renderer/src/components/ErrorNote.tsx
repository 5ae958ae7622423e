import type { ErrorInfo } from '../../../shared/errors'
import { useI18n } from '../context'
import { errorText } from '../i18n'

/** A typed error from main, in words, announced to screen readers. */
export function ErrorNote({ error }: { error: ErrorInfo | null }): React.JSX.Element | null {
  const { t } = useI18n()
  if (!error) return null
  return (
    <p className="error" role="alert">
      {errorText(t, error)}
    </p>
  )
}
