// Runs after `npm install` / `npm ci`: generates the Prisma client (src/generated/prisma), which
// every script imports, and the resolver types when the dev tools are installed. Offline: Prisma's
// generator runs on WebAssembly (scripts/no-schema-engine.sh explains the placeholder engine).
// A production install (`npm ci --omit=dev`) has no codegen and needs none: those are types only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const run = (script) => execFileSync('npm', ['run', '--silent', script], { stdio: 'inherit' });

run('generate:prisma');
if (fs.existsSync('node_modules/@graphql-codegen/cli')) run('generate:graphql');
