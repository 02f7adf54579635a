// `npm run bench:citation-graph -- [--papers 100000] [--edges 10000000] [--seconds 15] [--connections 16] [--skip-import]`
//
// The citation graph's two goals, on a generated catalog of `--papers` papers (the demo
// generator, seed 42, in its own database `citation_graph_bench` on BENCH_ADMIN_URL's server):
//
// 1. Import speed and memory: a generated Semantic Scholar `papers` file (every catalog paper,
//    plus as many works outside it) and a gzipped `citations` file of `--edges` edges, imported
//    by the real CLI (`npm run import`'s environment and Node flags) under GNU time: edges/s is
//    the citations snapshot's edges over its import time as the CLI reports it (hash, stream,
//    match, write, recount, commit), peak RSS the child's maximum resident set.
//    The edges: every catalog paper cites the first one (the "hot" paper: papers - 1 citing
//    papers), the rest between corpus ids drawn uniformly from 10 × papers works, so that about
//    19 % of them touch the catalog at one end and 1 % at both (a catalog inside a larger world),
//    each with a context and intents as S2 ships them; 1 % shipped twice.
// 2. `Paper.citedBy(first: 20)` on the hot paper: the API (src/main.ts under tsx, the bench's
//    environment) loaded by autocannon at `--connections` for `--seconds`, per order.
//
// Heavy: about 10 minutes and 2 GB of temporary files at 10M edges. Report on stdout (Markdown).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import zlib from 'node:zlib';
import pg from 'pg';
import { generateDemoCatalog } from '../src/catalog/demo/generate.ts';
import { createDb } from '../src/platform/db/client.ts';
import { applyMigrations } from '../src/platform/db/migrate.ts';
import { withDatabase } from './catalog.ts';
import { runLoad } from './load.ts';
import { apiServer, buildApi, ROOT, startServer } from './processes.ts';
import { API_ENV } from './run.ts';

const { values } = parseArgs({
  options: {
    papers: { type: 'string', default: '100000' },
    edges: { type: 'string', default: '10000000' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '16' },
    'skip-import': { type: 'boolean', default: false },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'citation-graph-bench') },
  },
});
const PAPERS = Number(values.papers);
const EDGES = Number(values.edges);
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NAME = 'citation_graph_bench';
const url = withDatabase(adminUrl, NAME);
const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const run = promisify(execFile);

async function withClient<T>(target: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The catalog: reused when its COMMENT says it has `PAPERS` papers, else generated. */
async function ensureCatalog(): Promise<void> {
  const marker = await withClient(adminUrl, async (c) => {
    const r = await c.query(`SELECT shobj_description(oid, 'pg_database') AS d FROM pg_database WHERE datname = $1`, [NAME]);
    return r.rows[0] ? String(r.rows[0].d ?? '') : null;
  });
  if (marker === `papers=${PAPERS}`) {
    await applyMigrations(url);
    log(`${NAME}: reusing the ${PAPERS}-paper catalog`);
    return;
  }
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${NAME}`);
  });
  await applyMigrations(url);
  const database = createDb({ connectionString: url, poolSize: 2 });
  log(`${NAME}: generating ${PAPERS} papers`);
  try {
    await generateDemoCatalog(database.db, { papers: PAPERS, seed: 42, today: new Date(), onProgress: (m) => log(`  ${m}`) });
  } finally {
    await database.close();
  }
  await withClient(url, (c) => c.query('VACUUM ANALYZE'));
  await withClient(adminUrl, (c) => c.query(`COMMENT ON DATABASE ${NAME} IS 'papers=${PAPERS}'`));
}

/** A tiny deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function write(file: string, lines: Iterable<string>): Promise<void> {
  const gzip = zlib.createGzip({ level: 1 });
  const out = fs.createWriteStream(file);
  gzip.pipe(out);
  let buffer = '';
  for (const line of lines) {
    buffer += `${line}\n`;
    if (buffer.length > 1 << 20) {
      if (!gzip.write(buffer)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
      buffer = '';
    }
  }
  gzip.end(buffer);
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
}

const INTENTS = ['background', 'methodology', 'result'];

/** Corpus ids 1..PAPERS are the catalog's papers (in id order), the rest works outside it. */
async function generateFiles(): Promise<{ papersFile: string; citationsFile: string; hotArxivId: string }> {
  fs.mkdirSync(values.dir!, { recursive: true });
  const arxivIds = await withClient(url, async (c) => (await c.query<{ arxivId: string }>(`SELECT "arxivId" FROM "Paper" ORDER BY id`)).rows.map((r) => r.arxivId));
  const papersFile = path.join(values.dir!, `s2-papers-${PAPERS}.jsonl.gz`);
  const citationsFile = path.join(values.dir!, `s2-citations-${PAPERS}-${EDGES}.jsonl.gz`);
  const world = 10 * PAPERS;
  if (!fs.existsSync(papersFile)) {
    log(`writing ${papersFile}`);
    await write(
      papersFile,
      (function* () {
        for (let id = 1; id <= world; id++) {
          const arxiv = id <= arxivIds.length ? arxivIds[id - 1]! : null;
          yield JSON.stringify({ corpusid: id, externalids: { ArXiv: arxiv, CorpusId: String(id) }, title: `Work ${id}`, year: 2000 + (id % 26), citationcount: id % 500, referencecount: 30, influentialcitationcount: id % 7 });
        }
      })(),
    );
  }
  if (!fs.existsSync(citationsFile)) {
    log(`writing ${citationsFile}`);
    const rnd = random(7);
    await write(
      citationsFile,
      (function* () {
        let n = 0;
        const edge = (citing: number, cited: number) => {
          const intent = INTENTS[n % 3]!;
          return `{"citationid":${++n},"citingcorpusid":${citing},"citedcorpusid":${cited},"isinfluential":${n % 10 === 0},"contexts":["as shown by prior work on this problem [${n % 40}]"],"intents":[["${intent}"]]}`;
        };
        for (let id = 2; id <= arxivIds.length && n < EDGES; id++) yield edge(id, 1);
        while (n < EDGES) {
          const citing = 1 + Math.floor(rnd() * world);
          const cited = 1 + Math.floor(rnd() * world);
          yield edge(citing, cited);
          if (n % 100 === 0 && n < EDGES) yield edge(citing, cited).replace(/"citationid":\d+/, '"citationid":0');
        }
      })(),
    );
  }
  return { papersFile, citationsFile, hotArxivId: arxivIds[0]! };
}

async function importWithCli(flag: string, file: string): Promise<{ line: string; seconds: number; wallSeconds: number; rssMb: number; phases: string[] }> {
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.import;
  const shape = /^((?:\w+=\S+ )*)tsx ((?:--\S+ )*)src\/cli\/import\.ts$/.exec(script);
  if (!shape) throw new Error(`package.json's import script has an unexpected shape: ${script}`);
  const env = Object.fromEntries(shape[1]!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('=') as [string, string]));
  const flags = shape[2]!.trim().split(/\s+/).filter(Boolean);
  const started = performance.now();
  const { stdout, stderr } = await run(
    '/usr/bin/time',
    ['-v', process.execPath, ...flags, '--import', 'tsx', 'src/cli/import.ts', flag, file],
    { cwd: ROOT, env: { ...process.env, ...env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, maxBuffer: 64 << 20 },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const seconds = Number(/in ([\d.]+) s/.exec(line)?.[1] ?? NaN);
  const phases = stderr.split('\n').filter((l) => / in [\d.]+ s$/.test(l));
  return { line, seconds, wallSeconds, rssMb: rss ? Number(rss[1]) / 1024 : NaN, phases };
}

async function loadCitedBy(hotArxivId: string): Promise<string[]> {
  buildApi(log);
  const server = await startServer({
    name: 'api',
    ...apiServer('dist'),
    env: { ...API_ENV, DATABASE_URL: url },
    logFile: path.join(values.dir!, 'api.log'),
  });
  const rows: string[] = [];
  try {
    const { data } = (await (
      await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ paper(arxivId: "${hotArxivId}") { id citationCount { inCatalog } } }` }),
      })
    ).json()) as { data: { paper: { id: string; citationCount: { inCatalog: number } } } };
    rows.push(`Hot paper ${hotArxivId}: ${data.paper.citationCount.inCatalog} citing catalog papers.`, '');
    rows.push('| operation | cost (extensions.cost) | connections | req/s | p50 ms | p99 ms | failed |', '| --- | --- | --- | --- | --- | --- | --- |');
    const operations: [string, string][] = [
      ...['NEWEST', 'UPVOTES', 'CITATIONS'].map((order): [string, string] => [
        `citedBy(orderBy: ${order}, first: 20) of the hot paper`,
        `query($id: ID!) { node(id: $id) { ... on Paper { citedBy(orderBy: ${order}, first: 20) { edges { isInfluential node { ... on Paper { arxivId title upvotes } } } } } } }`,
      ]),
      // The yardstick: a page of 20 papers with the same fields, no citations.
      ['papers(first: 20) (for comparison)', `query { papers(first: 20, orderBy: { field: UPVOTES }) { nodes { arxivId title upvotes } } }`],
      ['references(first: 20) of the hot paper', `query($id: ID!) { node(id: $id) { ... on Paper { references(first: 20) { totalCount edges { node { ... on Paper { arxivId } ... on ExternalPaper { title year } } } } } } }`],
      [
        'papers(first: 20) with citationCount, citedBy(first: 5), references(first: 5)',
        `query { papers(first: 20, orderBy: { field: CITATIONS }) { nodes { title citationCount { inCatalog total { value source } } citedBy(first: 5) { totalCount nodes { ... on Paper { title } } } references(first: 5) { nodes { ... on Paper { title } ... on ExternalPaper { externalTitle: title } } } } } }`,
      ],
    ];
    for (const [name, query] of operations) {
      const body = JSON.stringify({ query, variables: { id: data.paper.id } });
      // The previous load may leave the server shedding or its pool busy for a moment (503s with
      // Retry-After): the probe waits that out, a few times, before calling the operation broken.
      let probe: { errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[]; extensions?: { cost?: unknown } } = {};
      for (let attempt = 0; attempt < 5; attempt++) {
        probe = (await (await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as typeof probe;
        const retry = probe.errors?.find((e) => e.extensions?.code === 'SERVICE_OVERLOADED' || e.extensions?.code === 'SERVICE_UNAVAILABLE');
        if (!retry) break;
        await new Promise((resolve) => setTimeout(resolve, 1000 * (retry.extensions?.retryAfterSeconds ?? 2)));
      }
      if (probe.errors) throw new Error(`${name}: ${JSON.stringify(probe.errors)}`);
      const cost = JSON.stringify(probe.extensions?.cost ?? null);
      const call = { path: '/graphql', body, headers: { 'content-type': 'application/json' } };
      for (const connections of [1, Number(values.connections)]) {
        await runLoad({ url: server.url, connections, durationS: 2, maxRequests: 100_000, next: () => call });
        const r = await runLoad({ url: server.url, connections, durationS: Number(values.seconds), maxRequests: 1_000_000, next: () => call });
        rows.push(`| ${name} | ${cost} | ${r.connections} | ${r.rps.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx + r.graphqlErrors + r.errors} |`);
        log(rows.at(-1)!);
      }
    }
  } finally {
    await server.stop();
  }
  return rows;
}

await ensureCatalog();
const { papersFile, citationsFile, hotArxivId } = await generateFiles();
const report = [`# Citation graph bench (${new Date().toISOString().slice(0, 10)})`, '', `Catalog: ${PAPERS} generated papers; citations file: ${EDGES.toLocaleString('en-US')} edges, ${(fs.statSync(citationsFile).size / 2 ** 20).toFixed(0)} MB gzipped.`, ''];
if (!values['skip-import']) {
  // A first import: no citation data at all before it.
  await withClient(url, async (c) => {
    await c.query(`TRUNCATE "Citation", "CitationWork", "CitationSnapshot", "PaperMonthCitation", "CitationAddition"`);
    await c.query(`UPDATE "PaperCitationCount" SET "inCatalog" = 0 WHERE "inCatalog" <> 0`);
    await c.query(`VACUUM ANALYZE "Citation", "CitationWork", "PaperCitationCount", "PaperMonthCitation", "CitationAddition"`);
  });
  const steps = [
    ['first', '--s2-papers', papersFile],
    ['first', '--s2-citations', citationsFile],
    // The same edges as a newer snapshot (its record removed): the replace path, edges diffed.
    ['again', '--s2-citations', citationsFile],
  ] as const;
  for (const [when, flag, file] of steps) {
    if (when === 'again') await withClient(url, (c) => c.query(`DELETE FROM "CitationSnapshot" WHERE kind = 's2-citations'`));
    log(`importing ${flag} ${file} (${when})`);
    const r = await importWithCli(flag, file);
    log(r.line);
    report.push(`- ${when === 'again' ? 'again, as a newer snapshot: ' : ''}\`npm run import -- ${flag} ${path.basename(file)}\`: ${r.line}`);
    report.push(`  wall ${r.wallSeconds.toFixed(1)} s (with start and migrations), peak RSS ${r.rssMb.toFixed(0)} MB` + (flag === '--s2-citations' ? `, **${Math.round(EDGES / r.seconds).toLocaleString('en-US')} edges/s**` : ''));
    report.push(...r.phases.map((phase) => `  - ${phase}`));
  }
  report.push('');
  await withClient(url, (c) => c.query('ANALYZE'));
}
report.push(...(await loadCitedBy(hotArxivId)));
process.stdout.write(`${report.join('\n')}\n`);
