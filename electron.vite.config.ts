import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Dependencies stay external in main (better-sqlite3 is a native addon loaded at run time).
// The relay the app syncs with is set at build time: BILLING_RELAY_URL and
// BILLING_RELAY_PUBLIC_KEY in the build's environment (`npm run package`); only the URL and
// the public key are compiled in, never a secret.
// The preload is emitted as CommonJS: a sandboxed preload cannot be an ES module.
export default defineConfig({
  main: {
    define: {
      __BILLING_RELAY_URL__: JSON.stringify(process.env['BILLING_RELAY_URL'] ?? ''),
      __BILLING_RELAY_PUBLIC_KEY__: JSON.stringify(process.env['BILLING_RELAY_PUBLIC_KEY'] ?? '')
    },
    build: {
      externalizeDeps: true,
      // The integrity worker is an entry of its own: a worker thread loads it by file (src/main/integrity).
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          'integrity-worker': resolve(__dirname, 'src/main/integrity/worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
    plugins: [react()]
  }
})
