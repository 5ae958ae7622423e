import './support/dom'
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { recharge } from '../ipc/core-fixture'
import { renderApp } from './support/render'

afterEach(cleanup)

describe('locale', () => {
  it('defaults to Simplified Chinese and switches to English, money and all', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 123456) })
    expect(await screen.findByRole('heading', { level: 1, name: '直播助手 · 计费' })).toBeTruthy()
    expect(document.documentElement.lang).toBe('zh-CN')
    expect((await screen.findByTestId('balance')).textContent).toBe('¥1,234.56')

    fireEvent.change(screen.getByLabelText('语言'), { target: { value: 'en' } })
    expect(await screen.findByRole('heading', { level: 1, name: 'Live Assistant · Billing' })).toBeTruthy()
    expect(screen.getByTestId('balance').textContent).toBe('CN¥1,234.56')
    expect(screen.getByRole('button', { name: 'Start live session' })).toBeTruthy()
    expect(screen.getByRole('radio', { name: 'WeChat Pay' })).toBeTruthy()
    expect(document.documentElement.lang).toBe('en')
    await waitFor(() => expect(app.storedLocale()).toBe('en'))
    expect(screen.queryByText('钱包')).toBeNull()
  })

  it('starts in the locale main has stored', async () => {
    await renderApp({ locale: 'en' })
    expect(await screen.findByRole('heading', { level: 1, name: 'Live Assistant · Billing' })).toBeTruthy()
  })
})
