import './support/dom'
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { recharge } from '../ipc/core-fixture'
import { renderApp } from './support/render'

afterEach(cleanup)

describe('usage', () => {
  it('a bar per quota with used, limit, reset date; exhausted and unlimited shown as such', async () => {
    // FREE (src/shared/catalog): 50 AI requests, 5 exports, 1 live room, 1 GB.
    await renderApp({
      seed: ({ billing: { quotas } }) => {
        quotas.consume('ai_request', 5, 'seed-ai')
        quotas.consume('export', 5, 'seed-export')
        quotas.acquire({ key: 'seed-room', feature: 'live_room', holder: 'live:seed' })
        quotas.acquire({ key: 'seed-files', feature: 'storage', holder: 'recording:seed', qty: 512 })
      }
    })
    fireEvent.click(await screen.findByRole('button', { name: '用量' }))
    const ai = await screen.findByRole('progressbar', { name: 'AI 请求' })
    expect(ai.getAttribute('aria-valuenow')).toBe('5')
    expect(ai.getAttribute('aria-valuemax')).toBe('50')
    expect(ai.getAttribute('aria-valuetext')).toBe('已用 5 / 50')
    expect(ai.closest('li')?.textContent).toContain('2025/04/01 重置')

    const exp = screen.getByRole('progressbar', { name: '导出' })
    expect(exp.className).toContain('bar-full')
    expect(exp.closest('li')?.textContent).toContain('已用完')

    const rooms = screen.getByRole('progressbar', { name: '直播间' })
    expect(rooms.getAttribute('aria-valuetext')).toBe('使用中 1 / 1')
    expect(rooms.closest('li')?.textContent).not.toContain('重置')

    const storage = screen.getByRole('progressbar', { name: '存储（GB）' })
    expect(storage.getAttribute('aria-valuemax')).toBe('1024')
    expect(storage.getAttribute('aria-valuetext')).toBe('使用中 0.5 / 1')
    expect(screen.getByText('当前额度按免费版计算')).toBeTruthy()
  })

  it('a live room taken by a confirmed session shows up in the bar, and goes when it ends', async () => {
    await renderApp({ seed: (a) => recharge(a.billing, 5000) })
    fireEvent.click(await screen.findByRole('button', { name: '用量' }))
    expect((await screen.findByRole('progressbar', { name: '直播间' })).getAttribute('aria-valuenow')).toBe('0')
    fireEvent.click(screen.getByRole('button', { name: '开始直播' }))
    fireEvent.click(await screen.findByRole('button', { name: '确认开始直播' }))
    await waitFor(() =>
      expect(screen.getByRole('progressbar', { name: '直播间' }).getAttribute('aria-valuetext')).toBe('使用中 1 / 1')
    )
    fireEvent.click(await screen.findByRole('button', { name: '结束直播' }))
    await waitFor(() =>
      expect(screen.getByRole('progressbar', { name: '直播间' }).getAttribute('aria-valuetext')).toBe('使用中 0 / 1')
    )
  })
})
