import { defineConfig } from 'drizzle-kit'

// The relay's database, kept apart from the app's (drizzle.config.ts → migrations/app).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/relay/store/sqlite/schema.ts',
  out: './migrations/relay'
})
