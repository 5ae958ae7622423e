export {
  WECHAT_ENV,
  WECHAT_PRODUCTION_BASE_URL,
  normalizeSerial,
  wechatConfigFromEnv,
  wechatConfigSchema,
  type WechatConfig,
  type WechatConfigInput
} from './config'
export { createWechatProvider, toWechatTime, type WechatProviderDeps } from './provider'
