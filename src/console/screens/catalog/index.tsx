import { useState } from 'react'
import { parseCatalogDocument } from '../../../shared/catalog'
import type { ConsoleCatalogVersions } from '../../../shared/console/api'
import { api } from '../../api'
import { Err, generalText, useLoad, type Say } from '../../form-kit'
import { time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import { registerScreen } from '../registry'
import { draftOf, type Draft } from './draft'
import { Editor } from './Editor'
import { messages } from './messages'

// 套餐与价格: the catalog's published versions (which is in force, which are scheduled) and a
// new version started from the latest document.

function CatalogScreen() {
  const t = useT(messages)
  const locale = useLocale()
  const mayPublish = useSession((s) => s.can('catalog.publish'))
  const versions = useLoad(() => api<ConsoleCatalogVersions>('GET', '/v1/console/catalog/versions'), [])
  const [draft, setDraft] = useState<{ draft: Draft; version: number; base: number }>()
  const [done, setDone] = useState<Say<typeof messages>>()
  const [unreadable, setUnreadable] = useState(false)
  const list = versions.data?.versions ?? []
  const now = Date.now()

  const start = () => {
    const latest = list.reduce((a, b) => (b.version > a.version ? b : a))
    setDone(undefined)
    // The relay's document is validated again here, so the form edits a well-formed one; one
    // this console cannot read (a newer relay's field) is said, not edited half-understood.
    try {
      setDraft({ draft: draftOf(parseCatalogDocument(latest.document)), version: latest.version + 1, base: latest.version })
      setUnreadable(false)
    } catch {
      setUnreadable(true)
    }
  }

  return (
    <>
      <section className="card manage">
        <div className="toolbar">
          <h2>{t('versions.title')}</h2>
          {mayPublish && list.length > 0 && !draft && (
            <button type="button" className="primary" onClick={start} data-testid="catalog-new">
              {t('versions.new')}
            </button>
          )}
        </div>
        {!mayPublish && <p className="hint">{t('versions.noPermission')}</p>}
        {done && (
          <p className="ok" role="status">
            {done(t, locale)}
          </p>
        )}
        <Err text={generalText(versions.error, locale)} />
        <Err text={unreadable ? t('versions.unreadable') : undefined} />
        {versions.loading && !versions.data ? (
          <p>{t('common.loading')}</p>
        ) : (
          <table data-testid="catalog-versions">
            <thead>
              <tr>
                <th>{t('versions.version')}</th>
                <th>{t('versions.effectiveFrom')}</th>
                <th>{t('versions.publishedAt')}</th>
                <th>{t('versions.state')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>{time(v.effectiveFrom, locale)}</td>
                  <td>{time(v.publishedAt, locale)}</td>
                  <td>{v.inForce ? <strong>{t('versions.inForce')}</strong> : v.effectiveFrom > now ? t('versions.scheduled') : t('versions.past')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {draft && (
        <Editor
          key={draft.version}
          initial={draft.draft}
          version={draft.version}
          baseVersion={draft.base}
          onCancel={() => setDraft(undefined)}
          onDone={(message) => {
            setDraft(undefined)
            setDone(() => message)
            versions.reload()
          }}
        />
      )}
    </>
  )
}

registerScreen({ id: 'catalog', title: 'nav.catalog', permission: 'read', component: CatalogScreen })
