import type { Locator, Page } from 'playwright-core'
import { translate, type MessageKey, type Vars } from '../../../src/renderer/src/i18n'
import type { Locale } from '../../../src/shared/ipc/types'
import { formatMoney } from '../../../src/shared/money'

// Expected texts come from the renderer's own dictionaries and money formatting, so a test
// checks what the user reads in each language, not a copy of it.

export function texts(locale: Locale) {
  return {
    t: (key: MessageKey, vars?: Vars) => translate(locale, key, vars),
    cny: (amount: number) => formatMoney({ amount, currency: 'CNY' }, locale)
  }
}

export const header = (page: Page): Locator => page.locator('header.top')
export const dialog = (page: Page): Locator => page.getByRole('dialog')

/** Waits until the locator's text contains `text` (the UI updates by events, no reload). */
export async function seeText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ state: 'visible' })
}
