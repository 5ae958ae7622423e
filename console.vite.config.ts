import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The operator console: a web app the relay serves under /console (src/relay/http/console-app.ts),
// built to out/console by `npm run console:build`. Nothing inline (the relay's CSP allows only
// 'self' scripts and styles), so CSS is a file and scripts are modules.
export default defineConfig({
  root: resolve(__dirname, 'src/console'),
  base: '/console/',
  plugins: [react()],
  build: { outDir: resolve(__dirname, 'out/console'), emptyOutDir: true, assetsInlineLimit: 0 }
})
