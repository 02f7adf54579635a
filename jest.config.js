// ESM + TypeScript: the generated Prisma client uses import.meta, so tests run as ES modules
// (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 60_000,
  // @citation-js/core requires the ES module node-fetch, which jest's CommonJS loader cannot: see the file.
  moduleNameMapper: { '^node-fetch$': '<rootDir>/test/helpers/node-fetch.cjs' },
  // Each test file gets its own database; two workers fit this 2-core machine.
  maxWorkers: 2,
};
