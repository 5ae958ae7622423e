import { render } from '@testing-library/react'
import { createClient } from '../../../src/shared/ipc/client'
import { App } from '../../../src/renderer/src/App'
import { BillingProvider } from '../../../src/renderer/src/context'
import { createStores } from '../../../src/renderer/src/stores'
import { createFakeCore, type FakeCore } from './fake-core'

/** Renders the whole app over a fresh fake core and fresh stores. */
export function renderApp(init?: Partial<FakeCore['state']>) {
  const core = createFakeCore(init)
  const client = createClient(core.transport)
  const stores = createStores(client)
  const view = render(
    <BillingProvider value={{ client, stores }}>
      <App />
    </BillingProvider>
  )
  return { core, client, stores, ...view }
}
