import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createClient } from '../../shared/ipc/client'
import { App } from './App'
import { BillingProvider } from './context'
import { createStores } from './stores'
import { pickTransport } from './transport'
import './styles.css'

const client = createClient(pickTransport())
const billing = { client, stores: createStores(client) }

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BillingProvider value={billing}>
        <App />
      </BillingProvider>
    </StrictMode>
  )
}
