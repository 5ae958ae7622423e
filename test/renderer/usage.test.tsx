// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { NOW } from './support/fake-core'
import { renderApp } from './support/render'

afterEach(cleanup)

describe('usage', () => {
  it('a bar per quota with used, limit, reset date; exhausted and unlimited shown as such', async () => {
    renderApp({
      usage: [
        { feature: 'ai_request', kind: 'counter', unit: 'requests', limit: 20, used: 5, resetsAt: NOW + 20 * 86_400_000 },
        { feature: 'export', kind: 'counter', unit: 'exports', limit: 3, used: 3, resetsAt: NOW + 20 * 86_400_000 },
        { feature: 'live_room', kind: 'gauge', unit: 'rooms', limit: 2, used: 1, resetsAt: null },
        { feature: 'storage', kind: 'gauge', unit: 'MB', limit: 10240, used: 2560, resetsAt: null }
      ]
    })
    fireEvent.click(await screen.findByRole('button', { name: '用量' }))
    const ai = await screen.findByRole('progressbar', { name: 'AI 请求' })
    expect(ai.getAttribute('aria-valuenow')).toBe('5')
    expect(ai.getAttribute('aria-valuemax')).toBe('20')
    expect(ai.getAttribute('aria-valuetext')).toBe('已用 5 / 20')
    expect(ai.closest('li')?.textContent).toContain('2025/03/30 重置')

    const exp = screen.getByRole('progressbar', { name: '导出' })
    expect(exp.className).toContain('bar-full')
    expect(exp.closest('li')?.textContent).toContain('已用完')

    const rooms = screen.getByRole('progressbar', { name: '直播间' })
    expect(rooms.getAttribute('aria-valuetext')).toBe('使用中 1 / 2')
    expect(rooms.closest('li')?.textContent).not.toContain('重置')

    const storage = screen.getByRole('progressbar', { name: '存储（GB）' })
    expect(storage.getAttribute('aria-valuemax')).toBe('10240')
    expect(storage.getAttribute('aria-valuetext')).toBe('使用中 2.5 / 10')
    expect(screen.getByText('当前额度按免费版计算')).toBeTruthy()
  })

  it('a live room taken by the gate shows up in the bar', async () => {
    const { core } = renderApp({ balance: 5000 })
    fireEvent.click(await screen.findByRole('button', { name: '用量' }))
    expect((await screen.findByRole('progressbar', { name: '直播间' })).getAttribute('aria-valuenow')).toBe('0')
    core.state.usage = core.state.usage.map((u) => (u.feature === 'live_room' ? { ...u, used: 1 } : u))
    fireEvent.click(screen.getByRole('button', { name: '开始直播' }))
    await screen.findByText(/已从余额扣除/)
    await waitFor(() =>
      expect(screen.getByRole('progressbar', { name: '直播间' }).getAttribute('aria-valuetext')).toBe('使用中 1 / 1')
    )
  })
})
