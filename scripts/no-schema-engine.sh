#!/bin/sh
# Placeholder for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` only checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file and
# never runs it; migrations go through the WebAssembly engine (src/platform/db/migrate.ts) instead.
echo "The native Prisma schema engine is not installed; use npm run db:migrate / db:migrate:new (WebAssembly engine)." >&2
exit 1
