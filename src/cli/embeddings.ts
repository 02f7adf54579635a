// npm run embeddings:refresh [-- --batch 256] [--prune]
// Embeds the papers that lack a current vector of the configured embedder (EMBEDDINGS, see
// src/config.ts) in the database of DATABASE_URL (or the embedded one in DATA_DIR); see
// src/catalog/related/embeddings/refresh.ts. The vectors are stored on any PostgreSQL, and used where pgvector is installed.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { loadEmbedder } from '../platform/embeddings/load.ts';
import { refreshEmbeddings } from '../catalog/related/embeddings/refresh.ts';
import { EmbedderLoadError } from '../platform/embeddings/transformers.ts';

const USAGE = 'usage: EMBEDDINGS=hashing|model npm run embeddings:refresh [-- --batch <papers per batch>] [--prune]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { batch: { type: 'string' }, prune: { type: 'boolean' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000)) {
    console.error(`--batch must be a whole number from 1 to 10000; got "${values.batch}"`);
    return 2;
  }
  const config = loadConfig();
  const embedder = await loadEmbedder(config.embeddings);
  if (!embedder) {
    console.error(`Embeddings are off (EMBEDDINGS=off and no EMBEDDINGS_MODEL_DIR): nothing to do.\n${USAGE}`);
    return 2;
  }
  const database = await openDatabase(config);
  try {
    let reported = 0;
    const report = await refreshEmbeddings(database.db, embedder, {
      ...(batchSize ? { batchSize } : {}),
      ...(values.prune ? { prune: true } : {}),
      onProgress: (lastId, embedded) => {
        if (performance.now() - reported > 5000) {
          reported = performance.now();
          console.error(`embeddings: ${embedded} papers embedded (up to id ${lastId})`);
        }
      },
    });
    console.log(JSON.stringify(report));
    return 0;
  } finally {
    await embedder.close?.();
    await database.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof EmbedderLoadError ? error.message : error);
  process.exitCode = 1;
}
