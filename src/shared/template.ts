import type { Locale } from './ipc/types'

// The placeholder rule of every user-facing text (the renderer's i18n, the notices' sentences):
// `{name}` is replaced by the variable; `{name|one|other}` picks the word for the variable's
// number by the locale's plural rules ("1 live room", "3 live rooms").

export type Vars = Record<string, string | number>

const plurals = { 'zh-CN': new Intl.PluralRules('zh-CN'), en: new Intl.PluralRules('en') } as const

export function fillTemplate(locale: Locale, text: string, vars?: Vars): string {
  if (!vars) return text
  return text.replace(/\{(\w+)(?:\|([^|{}]*)\|([^|{}]*))?\}/g, (m, name: string, one?: string, other?: string) => {
    if (!(name in vars)) return m
    const v = vars[name]!
    if (one === undefined) return String(v)
    return typeof v === 'number' && plurals[locale].select(v) === 'one' ? one : (other ?? '')
  })
}
