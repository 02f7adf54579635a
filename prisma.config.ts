import { defineConfig } from 'prisma/config';

// DATABASE_URL is optional: without it the app runs on its embedded Postgres
// (src/platform/db/embedded.ts) and `prisma generate` needs no database at all.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
