import { render } from '@testing-library/react'
import { App } from '../../../src/renderer/src/App'
import { BillingProvider } from '../../../src/renderer/src/context'
import { createStores } from '../../../src/renderer/src/stores'
import { openApp, type AppOptions, type RealApp } from './real-core'

export interface RenderOptions extends AppOptions {
  /** Sets up the core by real operations before the window opens. */
  seed?: (app: RealApp) => void | Promise<void>
}

/** Renders the whole app over the real main process (real-core.ts) and fresh stores. */
export async function renderApp(opts: RenderOptions = {}) {
  const app = await openApp(opts)
  await opts.seed?.(app)
  const stores = createStores(app.client)
  const view = render(
    <BillingProvider value={{ client: app.client, stores }}>
      <App />
    </BillingProvider>
  )
  return { ...app, stores, ...view }
}
