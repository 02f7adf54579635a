// Opens the app's database: DATABASE_URL when set, else the embedded Postgres under DATA_DIR.
// Either way the migrations are applied before anything else touches it.
import path from 'node:path';
import type { Config } from '../../config.ts';
import { createDb, type Database as Pools } from './client.ts';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from './embedded.ts';
import { applyMigrations } from './migrate.ts';
import { enableEmbeddings, type EmbeddingPath, type EmbeddingStatus } from '../embeddings/path.ts';
import { enableRum, type RumStatus } from './rum.ts';
import { loadEmbedder } from '../embeddings/load.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';

export interface Database extends Pools {
  readonly url: string;
  readonly embedded: boolean;
  /** Migrations applied by this start (empty when the database was up to date). */
  readonly applied: string[];
  /** The embedding path of related papers (src/platform/embeddings/path.ts), for the platform object. */
  readonly embeddingPath: EmbeddingPath | null;
  /** The embedding path: on, or why not. */
  readonly embeddings: EmbeddingStatus;
  /** The RUM extension (./rum.ts): installed in this database, or why not. */
  readonly rum: RumStatus;
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'database' | 'embeddings' | 'searchRum'>> & { scale?: Pick<Config['scale'], 'readUrls' | 'maxReplicaLagSeconds'> },
  options: {
    /**
     * Load the embedder of `config.embeddings` and turn the embedding path on where pgvector is
     * (the serving processes); default false: scripts have no use for it.
     */
    embeddings?: boolean;
    onQuery?: (sql: string) => void;
    poolSize?: number;
    /** The pools' metrics and spans (src/platform/telemetry/pg.ts). */
    telemetry?: Telemetry;
    /** false: another process (the cluster's primary) has applied them already. */
    migrate?: boolean;
  } = {},
): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg') });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const applied = options.migrate === false ? [] : await applyMigrations(url);
    const pools = createDb({
      connectionString: url,
      poolSize: embedded ? EMBEDDED_POOL_SIZE : options.poolSize,
      prepare: !embedded,
      onQuery: options.onQuery,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      ...(config.database ? { poolTimeoutMs: config.database.poolTimeoutMs } : {}),
      // The embedded database runs one statement at a time on one backend: a timeout there would
      // only cut long jobs short.
      ...(config.database && !embedded ? { statementTimeoutMs: config.database.statementTimeoutMs } : {}),
      ...(config.scale && config.scale.readUrls.length > 0 ? { replicas: { urls: config.scale.readUrls, maxLagSeconds: config.scale.maxReplicaLagSeconds } } : {}),
    });
    // Replicas are judged before the first request: until then reads go to the primary.
    await pools.replicas?.check();
    // A model that fails to load stops the start, with its message (src/main.ts prints it).
    const embedder = options.embeddings && config.embeddings ? await loadEmbedder(config.embeddings) : null;
    const embeddings = await enableEmbeddings(pools.db, embedder, { install: options.migrate !== false });
    // Like pgvector: installed by the process that migrates; the embedded database has no RUM.
    const rum: RumStatus = config.searchRum !== 'on'
      ? { state: 'off', reason: 'disabled', detail: 'SEARCH_RUM is off: search ranks on GIN' }
      : await enableRum(pools.db, { install: options.migrate !== false });
    return {
      ...pools,
      url,
      embedded: Boolean(embedded),
      applied,
      embeddingPath: embeddings.path,
      embeddings: embeddings.status,
      rum,
      async close() {
        await embedder?.close?.();
        await pools.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
