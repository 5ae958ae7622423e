import { useState } from 'react'
import { api } from '../../api'
import { Err, fieldError, FilePicker, generalText, refusalOf, type Refusal, type Say } from '../../form-kit'
import { useLocale, useT } from '../../i18n'
import { FAPIAO_FILE_MAX_BYTES, FAPIAO_FILE_MAX_TEXT as SIZE_TEXT } from './limits'
import { messages } from './messages'

// The operator's decision on one request (POST /v1/admin/invoices/:number/fapiao, body as
// src/relay/invoices/fapiao.ts reads it): issued with the authority's 20-digit number and the
// file as base64, or refused with a reason the user sees.


function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''))
    r.onerror = () => reject(r.error ?? new Error('unreadable'))
    r.readAsDataURL(file)
  })
}

type Key = keyof (typeof messages)['zh-CN']

export function Decide(props: { invoiceNumber: string; decision: 'issued' | 'refused'; onDone(message: Say<typeof messages>): void; onCancel(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [number, setNumber] = useState('')
  const [file, setFile] = useState<File>()
  const [reason, setReason] = useState('')
  // Keys of the messages, worded at render: the language may switch while one shows.
  const [local, setLocal] = useState<Record<string, Key>>({})
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)
  const said = (key: Key | undefined) => (key ? t(key, { size: SIZE_TEXT }) : undefined)
  const relay = (field: string) => {
    const text = fieldError(refusal, field)
    if (text === undefined) return undefined
    if (refusal?.reason === 'fapiao_number_used') return t('issue.numberUsed')
    if (field === 'file' && refusal?.fields['file.type'] !== undefined) return t('issue.notThatType')
    return t('relay.reason', { reason: text })
  }

  const submit = async () => {
    setRefusal(undefined)
    const problems: Record<string, Key> = {}
    let body: unknown
    if (props.decision === 'issued') {
      if (!/^\d{20}$/.test(number.trim())) problems['fapiaoNumber'] = 'issue.badNumber'
      const type = file ? (/\.pdf$/i.test(file.name) ? 'pdf' : /\.ofd$/i.test(file.name) ? 'ofd' : undefined) : undefined
      if (!file) problems['file'] = 'issue.noFile'
      else if (!type) problems['file'] = 'issue.badType'
      else if (file.size > FAPIAO_FILE_MAX_BYTES) problems['file'] = 'issue.tooBig'
      setLocal(problems)
      if (Object.keys(problems).length) return
      try {
        body = { decision: 'issued', fapiaoNumber: number.trim(), file: { type, base64: await readBase64(file!) } }
      } catch {
        setLocal({ file: 'issue.unreadable' })
        return
      }
    } else {
      if (!reason.trim()) problems['reason'] = 'refuse.noReason'
      setLocal(problems)
      if (Object.keys(problems).length) return
      body = { decision: 'refused', reason: reason.trim() }
    }
    setBusy(true)
    try {
      await api('POST', `/v1/admin/invoices/${encodeURIComponent(props.invoiceNumber)}/fapiao`, body)
      const issued = number.trim()
      props.onDone((t) => (props.decision === 'issued' ? t('issue.done', { invoice: props.invoiceNumber, number: issued }) : t('refuse.done', { invoice: props.invoiceNumber })))
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="subform" data-testid="fapiao-decide">
      {props.decision === 'issued' ? (
        <>
          <label>
            {t('issue.number')}
            <input name="fapiaoNumber" inputMode="numeric" maxLength={20} size={24} value={number} onChange={(e) => setNumber(e.target.value)} />
            <Err text={said(local['fapiaoNumber']) ?? relay('fapiaoNumber')} />
          </label>
          <div className="field">
            {t('issue.file', { size: SIZE_TEXT })}
            <FilePicker name="fapiaoFile" accept=".pdf,.ofd,application/pdf,application/ofd" choose={t('file.choose')} none={t('file.none')} file={file} onFile={setFile} />
            <Err text={said(local['file']) ?? relay('file')} />
          </div>
        </>
      ) : (
        <label>
          {t('refuse.reason')}
          <input name="reason" size={40} value={reason} onChange={(e) => setReason(e.target.value)} />
          <Err text={said(local['reason']) ?? relay('reason')} />
        </label>
      )}
      <div className="row-actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          {props.decision === 'issued' ? t('issue.submit') : t('refuse.submit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      <Err text={refusal?.info.code === 'INVALID_TRANSITION' ? t('decided.already') : generalText(refusal, locale)} testId="fapiao-error" />
    </div>
  )
}
