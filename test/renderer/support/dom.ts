import { afterAll } from 'vitest'
import { builtinEnvironments } from 'vitest/runtime'
import { useNodeArrays } from './node-arrays'

// The screens' tests run the real main process and, for checkouts, the real relay in the same
// process. Under `@vitest-environment jsdom` every module is transformed for the browser, and
// Vite rewrites `new URL('../../../migrations/relay', import.meta.url)` (how the relay and the
// core find their migrations) against the page's location. So these files run in the node
// environment and get jsdom's window from vitest's own jsdom environment here, imported
// first, before React and Testing Library look for a document.

const env = await builtinEnvironments.jsdom.setup(globalThis, {})
useNodeArrays()
afterAll(async () => {
  // React's scheduler may still hold a task (it runs on setImmediate): let it run while the
  // window is there.
  await new Promise((resolve) => setImmediate(resolve))
  await env.teardown(globalThis)
})
