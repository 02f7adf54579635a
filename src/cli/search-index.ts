// npm run search:index
// Builds the RUM index of KEYWORD search (src/catalog/papers/search-index.ts) in the database of
// DATABASE_URL and waits for it: what the server's start does in the background, for a
// deployment that would rather build it at a quiet hour, or before turning the new version on.
// CREATE INDEX CONCURRENTLY: reads and writes go on meanwhile. Installs the extension first
// (CREATE EXTENSION rum), which needs a role that may; on a server without RUM, says so.
import { loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { buildSearchIndex, SEARCH_RUM_INDEX } from '../catalog/papers/search-index.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase({ ...config, searchRum: 'on' });
  try {
    if (database.rum.state !== 'installed') {
      console.error(`No RUM index: ${database.rum.detail}`);
      return 1;
    }
    console.error(`Building ${SEARCH_RUM_INDEX} (RUM ${database.rum.version}) concurrently...`);
    const { outcome, ms } = await buildSearchIndex(database.url);
    const said = { built: 'built', exists: 'already there and valid', elsewhere: 'being built by another session: left to it' }[outcome];
    console.log(`${SEARCH_RUM_INDEX}: ${said} (${(ms / 1000).toFixed(1)} s)`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
