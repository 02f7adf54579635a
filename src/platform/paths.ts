// Where the project's files are, from src/ or from dist/ alike (both sit one level below the
// root). A module of its own so that reading a path loads nothing else.
import path from 'node:path';

export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const schemaPath = path.join(projectRoot, 'prisma/schema.prisma');
export const migrationsDir = path.join(projectRoot, 'prisma/migrations');
