export {
  ALIPAY_ENV,
  ALIPAY_PRODUCTION_GATEWAY,
  alipayConfigFromEnv,
  alipayConfigSchema,
  type AlipayConfig,
  type AlipayConfigInput
} from './config'
export { createAlipayProvider, type AlipayProviderDeps } from './provider'
