import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

// The example host app's build (`npm run example:build` from the repository root).
const here = __dirname
export default defineConfig({
  main: {
    build: {
      outDir: resolve(here, 'out/main'),
      externalizeDeps: true,
      // The billing module's integrity worker, beside the bundle (src/main/integrity/full-check.ts).
      rollupOptions: {
        input: { index: resolve(here, 'src/main/index.ts'), 'integrity-worker': resolve(here, '../../src/main/integrity/worker.ts') }
      }
    }
  },
  preload: {
    build: {
      outDir: resolve(here, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(here, 'src/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    root: resolve(here, 'src/renderer'),
    build: { outDir: resolve(here, 'out/renderer'), rollupOptions: { input: { index: resolve(here, 'src/renderer/index.html') } } }
  }
})
