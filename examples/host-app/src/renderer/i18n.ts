// The example screen's own words, Simplified Chinese first.
export const messages = {
  'zh-CN': {
    title: '示例宿主应用',
    askAi: '问 AI（每次 {price}）',
    aiAnswer: 'AI：{text}',
    aiRefused: '未执行，未扣费：{reason}',
    startLive: '开始直播',
    confirm: '确认',
    cancel: '取消',
    endLive: '结束直播',
    live: '直播中',
    paid: '将从余额扣除 {price}。',
    firstFree: '本次使用首次免费机会。',
    included: '本次已包含在套餐中。',
    needsRecharge: '余额不足，还差 {shortfall}，请先充值。',
    noRoom: '没有空闲的直播间。',
    failed: '失败：{message}'
  },
  en: {
    title: 'Example host app',
    askAi: 'Ask AI ({price} each)',
    aiAnswer: 'AI: {text}',
    aiRefused: 'Not run, nothing charged: {reason}',
    startLive: 'Start live session',
    confirm: 'Confirm',
    cancel: 'Cancel',
    endLive: 'End live session',
    live: 'Live',
    paid: '{price} will be taken from your balance.',
    firstFree: 'This uses your one free use.',
    included: 'Included in your plan.',
    needsRecharge: 'Not enough balance: {shortfall} short. Top up first.',
    noRoom: 'No free live room.',
    failed: 'Failed: {message}'
  }
} as const

export type Key = keyof (typeof messages)['zh-CN']
export type Lang = keyof typeof messages

export function t(lang: Lang, key: Key, vars: Record<string, string> = {}): string {
  return messages[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m)
}
