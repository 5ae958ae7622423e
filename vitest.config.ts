import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // Two cores here and in CI: run files in parallel, but not more workers than cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Transformed by vitest (not loaded by Node directly) so test/electron's stand-in of the
    // 'electron' module reaches the electron-store adapter too.
    server: { deps: { inline: ['electron-store'] } },
    hookTimeout: 60_000,
    // One PostgreSQL for the run, when there is one (the relay suites' second store).
    globalSetup: ['test/relay/support/pg-global.ts']
  }
})
