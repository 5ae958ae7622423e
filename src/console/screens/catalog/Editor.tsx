import { useState } from 'react'
import { LIMIT_KEYS } from '../../../shared/catalog/limits'
import type { ConsoleCatalogPreview } from '../../../shared/console/api'
import { api } from '../../api'
import { Err, fieldError, fromLocalInput, generalText, refusalOf, type Refusal, type Say } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { KNOWN_RULES, toDocument, type Draft, type DraftProblem } from './draft'
import { messages } from './messages'

// The new version's form: prices, quotas, trial days and sale flag per plan and period, the
// recharge rules and bonuses, the time it takes effect; then the relay's preview of what
// changes for whom, and publish behind a confirm step. A refusal shows beside its field.

type Stage = { kind: 'edit' } | { kind: 'preview'; preview: ConsoleCatalogPreview; body: { document: unknown; effectiveFrom: number } } | { kind: 'confirm'; preview: ConsoleCatalogPreview; body: { document: unknown; effectiveFrom: number } }

export function Editor(props: { initial: Draft; version: number; baseVersion: number; onDone(message: Say<typeof messages>): void; onCancel(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [draft, setDraft] = useState(props.initial)
  const [local, setLocal] = useState<Record<string, DraftProblem>>({})
  const [refusal, setRefusal] = useState<Refusal>()
  const [stage, setStage] = useState<Stage>({ kind: 'edit' })
  const [busy, setBusy] = useState(false)

  const edit = (f: (d: Draft) => Draft) => {
    setDraft(f(draft))
    setStage({ kind: 'edit' })
  }
  const setPlan = (i: number, patch: Partial<Draft['plans'][number]>) => edit((d) => ({ ...d, plans: d.plans.map((p, j) => (j === i ? { ...p, ...patch } : p)) }))
  const problem = (field: string): string | undefined => {
    // A preset is named by its index (rechargeRules.presets.2): shown beside the one field.
    const own = local[field] ?? Object.entries(local).find(([k]) => k.startsWith(`${field}.`))?.[1]
    if (own) return t(`problem.${own}`)
    const relay = fieldError(refusal, field)
    if (relay === undefined) return undefined
    const known = KNOWN_RULES.find(([re]) => re.test(relay))
    return known ? t(known[1]) : t('problem.relay', { reason: relay })
  }

  const preview = async () => {
    setRefusal(undefined)
    const effectiveFrom = draft.when === 'now' ? Date.now() : fromLocalInput(draft.at)
    const { document, problems } = toDocument(draft, props.version, effectiveFrom ?? 0)
    if (effectiveFrom === undefined) problems['effectiveFrom'] = 'when'
    setLocal(problems)
    if (Object.keys(problems).length) return
    setBusy(true)
    try {
      const body = { document, effectiveFrom: effectiveFrom! }
      setStage({ kind: 'preview', preview: await api<ConsoleCatalogPreview>('POST', '/v1/console/catalog/preview', body), body })
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }

  const publish = async (body: { document: unknown; effectiveFrom: number }) => {
    setBusy(true)
    try {
      // "Now" means the moment of publishing, not of the preview a while ago.
      const effectiveFrom = draft.when === 'now' ? Math.max(Date.now(), body.effectiveFrom) : body.effectiveFrom
      const out = await api<{ version?: { version: number; effectiveFrom: number } }>('POST', '/v1/console/catalog/publish', {
        document: { ...(body.document as object), effectiveFrom },
        effectiveFrom
      })
      props.onDone((t, locale) => t('published', { version: out.version?.version ?? props.version, time: time(out.version?.effectiveFrom ?? effectiveFrom, locale) }))
    } catch (e) {
      setRefusal(refusalOf(e))
      setStage({ kind: 'edit' })
    } finally {
      setBusy(false)
    }
  }

  const input = (field: string, value: string, onChange: (v: string) => void, className?: string) => (
    <>
      <input name={field} value={value} className={className} onChange={(e) => onChange(e.target.value)} aria-invalid={problem(field) ? true : undefined} />
      <Err text={problem(field)} />
    </>
  )
  const general = generalText(refusal, locale)

  return (
    <section className="card manage" data-testid="catalog-editor">
      <h2>{t('editor.title', { version: props.version, base: props.baseVersion })}</h2>
      <p className="hint">{t('editor.limitsHint')}</p>
      <div className="scroll-x">
        <table className="plans">
          <thead>
            <tr>
              <th>{t('editor.plan')}</th>
              <th>{t('editor.name')}</th>
              <th>{t('editor.price')}</th>
              <th>{t('editor.originalPrice')}</th>
              {LIMIT_KEYS.map((k) => (
                <th key={k}>{t(`editor.limit.${k}`)}</th>
              ))}
              <th>{t('editor.trialDays')}</th>
              <th>{t('editor.active')}</th>
            </tr>
          </thead>
          <tbody>
            {draft.plans.map((p, i) => (
              <tr key={`${p.code}/${p.period}`} data-plan={`${p.code}/${p.period}`}>
                <td className="nowrap">
                  {p.code} · {t(`period.${p.period}` as 'period.monthly')}
                  <Err text={fieldError(refusal, `plans.${i}`) && !problem(`plans.${i}.price`) ? t('problem.relay', { reason: fieldError(refusal, `plans.${i}`)! }) : undefined} />
                </td>
                <td>{input(`plans.${i}.name`, p.name, (v) => setPlan(i, { name: v }))}</td>
                <td>{input(`plans.${i}.price`, p.price, (v) => setPlan(i, { price: v }))}</td>
                <td>{input(`plans.${i}.originalPrice`, p.originalPrice, (v) => setPlan(i, { originalPrice: v }))}</td>
                {LIMIT_KEYS.map((k) => (
                  <td key={k}>{input(`plans.${i}.limits.${k}`, p.limits[k], (v) => setPlan(i, { limits: { ...p.limits, [k]: v } }), 'limit')}</td>
                ))}
                <td>{input(`plans.${i}.trialDays`, p.trialDays, (v) => setPlan(i, { trialDays: v }), 'days')}</td>
                <td>
                  <input type="checkbox" name={`plans.${i}.active`} checked={p.active} onChange={(e) => setPlan(i, { active: e.target.checked })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>{t('editor.recharge')}</h3>
      <div className="toolbar">
        <label>
          {t('editor.recharge.min')}
          {input('rechargeRules.min', draft.recharge.min, (v) => edit((d) => ({ ...d, recharge: { ...d.recharge, min: v } })))}
        </label>
        <label>
          {t('editor.recharge.max')}
          {input('rechargeRules.max', draft.recharge.max, (v) => edit((d) => ({ ...d, recharge: { ...d.recharge, max: v } })))}
        </label>
        <label>
          {t('editor.recharge.presets')}
          {input('rechargeRules.presets', draft.recharge.presets, (v) => edit((d) => ({ ...d, recharge: { ...d.recharge, presets: v } })), 'wide')}
        </label>
      </div>
      {draft.bonuses && draft.bonuses.length > 0 && (
        <>
          <h3>{t('editor.bonuses')}</h3>
          {draft.bonuses.map((b, i) => (
            <div className="toolbar" key={i}>
              <label>
                {t('editor.bonus.min')}
                {input(`rechargeBonuses.${i}.min`, b.min, (v) => edit((d) => ({ ...d, bonuses: d.bonuses!.map((x, j) => (j === i ? { ...x, min: v } : x)) })))}
              </label>
              <label>
                {t('editor.bonus.bonus')}
                {input(`rechargeBonuses.${i}.bonus`, b.bonus, (v) => edit((d) => ({ ...d, bonuses: d.bonuses!.map((x, j) => (j === i ? { ...x, bonus: v } : x)) })))}
              </label>
            </div>
          ))}
        </>
      )}

      <h3>{t('editor.when')}</h3>
      <div className="toolbar">
        <label className="inline">
          <input type="radio" name="when" checked={draft.when === 'now'} onChange={() => edit((d) => ({ ...d, when: 'now' }))} />
          {t('editor.when.now')}
        </label>
        <label className="inline">
          <input type="radio" name="when" value="at" checked={draft.when === 'at'} onChange={() => edit((d) => ({ ...d, when: 'at' }))} />
          {t('editor.when.at')}
        </label>
        <input type="datetime-local" name="effectiveAt" value={draft.at} disabled={draft.when !== 'at'} onChange={(e) => edit((d) => ({ ...d, at: e.target.value }))} />
        <Err text={problem('effectiveFrom')} />
      </div>

      <div className="toolbar">
        <button type="button" className="primary" disabled={busy} onClick={() => void preview()}>
          {t('editor.preview')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('editor.discard')}
        </button>
        <Err text={general} testId="catalog-error" />
      </div>

      {stage.kind !== 'edit' && <Preview preview={stage.preview} />}
      {stage.kind === 'preview' && (
        <button type="button" className="primary" onClick={() => setStage({ ...stage, kind: 'confirm' })}>
          {t('preview.publish')}
        </button>
      )}
      {stage.kind === 'confirm' && (
        <div className="confirm" role="dialog">
          <p>{t('confirm.text', { version: props.version, time: time(stage.preview.effectiveFrom, locale) })}</p>
          <button type="button" className="primary" disabled={busy} onClick={() => void publish(stage.body)}>
            {t('confirm.yes')}
          </button>
          <button type="button" onClick={() => setStage({ ...stage, kind: 'preview' })}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </section>
  )
}

const MONEY_FIELDS = new Set(['price', 'originalPrice'])

function Preview({ preview }: { preview: ConsoleCatalogPreview }) {
  const t = useT(messages)
  const locale = useLocale()
  const cny = (fen: number) => money({ amount: fen, currency: 'CNY' }, locale)
  const label = (field: string) => (`field.${field}` in messages['zh-CN'] ? t(`field.${field}` as 'field.name') : field)
  const show = (field: string, v: unknown): string => {
    if (v === null) return field.startsWith('limits.') ? t('preview.unlimited') : '—'
    if (v === undefined) return '—'
    if (typeof v === 'boolean') return v ? t('preview.yes') : t('preview.no')
    if (typeof v === 'number' && MONEY_FIELDS.has(field)) return cny(v)
    if (field === 'rechargeRules' && typeof v === 'object') {
      const r = v as { min: number; max: number; presets: number[] }
      return t('show.recharge', { min: cny(r.min), max: cny(r.max), presets: r.presets.map(cny).join('、') })
    }
    if (field === 'rechargeBonuses' && Array.isArray(v)) return v.length ? (v as { min: number; bonus: number }[]).map((b) => t('show.bonus', { min: cny(b.min), bonus: cny(b.bonus) })).join('；') : '—'
    if (field === 'plan' && typeof v === 'object') return `${(v as { name?: string }).name ?? ''} ${cny((v as { price: number }).price)}`
    if (Array.isArray(v)) return v.join('、')
    return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)
  }
  return (
    <div data-testid="catalog-preview">
      <h3>{t('preview.title', { time: time(preview.effectiveFrom, locale) })}</h3>
      {preview.changes.length === 0 ? (
        <p>{t('preview.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('editor.plan')}</th>
              <th>{t('preview.field')}</th>
              <th>{t('preview.before')}</th>
              <th>{t('preview.after')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.changes.map((c, i) => (
              <tr key={i}>
                <td>{c.planCode === '' ? t('preview.document') : `${c.planCode} · ${c.period ? t(`period.${c.period}` as 'period.monthly') : t('preview.allPeriods')}`}</td>
                <td>{label(c.field)}</td>
                <td>{show(c.field, c.before)}</td>
                <td>{show(c.field, c.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview.affected.length > 0 && (
        <>
          <h3>{t('preview.affected')}</h3>
          <ul>
            {preview.affected.map((a) => (
              <li key={a.planCode}>{t('preview.affectedRow', { plan: a.planCode, count: a.activeSubscriptions })}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
