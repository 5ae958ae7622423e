import { defineConfig } from 'drizzle-kit'

// The relay's database on PostgreSQL (RELAY_DATABASE_URL=postgres://…), its own migrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/relay/store/pg/schema.ts',
  out: './migrations/relay-pg'
})
