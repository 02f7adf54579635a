// npm run related:rebuild [-- --batch 2000] [--lists]
// Recomputes the related-papers statistics and every paper's term vector (src/catalog/related/rebuild.ts)
// in the database of DATABASE_URL (or the embedded one in DATA_DIR). Safe while the API serves.
// --lists: also queue every paper's precomputed related papers, for the server's job to compute
// again (src/catalog/related/neighbours.ts).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { rebuildRelated } from '../catalog/related/rebuild.ts';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { batch: { type: 'string' }, lists: { type: 'boolean' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run related:rebuild [-- --batch <papers per transaction>] [--lists]`);
    return 2;
  }
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1)) {
    console.error(`--batch must be a positive integer; got "${values.batch}"`);
    return 2;
  }
  const database = await openDatabase(loadConfig());
  try {
    let reported = 0;
    const report = await rebuildRelated(database.db, {
      ...(batchSize ? { batchSize } : {}),
      lists: values.lists ?? false,
      onProgress: (done, total) => {
        if (done === total || performance.now() - reported > 5000) {
          reported = performance.now();
          console.error(`vectors: ${done}/${total} papers`);
        }
      },
    });
    console.log(JSON.stringify(report));
    return 0;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
