import { defineConfig } from 'prisma/config'

// Read by the Prisma CLI. Only `prisma generate` (npm run db:generate) is used: migrations go through
// scripts/db.ts, which drives the wasm schema engine offline (see lib/db/migrate.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/registry_dev' },
})
