import { defineConfig } from 'drizzle-kit'

// The desktop app's ledger database. The relay keeps its own (drizzle.relay.config.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/main/db/schema/index.ts',
  out: './migrations/app'
})
