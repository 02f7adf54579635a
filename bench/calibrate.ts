// Calibration of the cost model (issue 23): what each expensive field costs to answer, against
// what the budget charges for it, with the daily page as the reference. See bench/README.md.
//
//   npm run bench:calibrate -- [--build NAME|DIR ...] [--reps 15] [--warmup 3] [--only name,name] [--out FILE]
//
// Per build (production build on catalog_bench_100k): each request below sent alone, one
// connection, one at a time, after a warm-up, `reps` times: the median and p90 of its time, and
// the points charged for it: `extensions.cost.charged ?? extensions.cost.requested` for GraphQL,
// the difference of the RateLimit header's remaining points between two requests for the feeds
// (and for GraphQL as a check). The server runs with a budget too large to run out
// (RATE_LIMIT_POINTS=1000000000) so that every request is answered and the header is sent;
// the per-request maximum (GRAPHQL_MAX_COST) is the default.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { databaseName, ensureCatalog, withDatabase } from './catalog.ts';
import { prepareAbuse, restoreAbuse, type AbuseSetup } from './abuse-setup.ts';
import { apiEnv, bearer, fmt, graphqlBody, percentile, remainingOf, request, resolveBuilds, sortedOf, startApi, type Build, runMeta, writeReport } from './abuse-server.ts';
import { OPERATIONS } from './operations.ts';
import { ROOT } from './processes.ts';
import { fromGlobalId } from '../src/platform/global-id.ts';

const USAGE = `usage: tsx bench/calibrate.ts [--build NAME|DIR ...] [--reps 15] [--warmup 3] [--max-seconds-per-field 60] [--only name,name] [--out FILE]
  --build   a build saved by \`bash bench/ab.sh save NAME\` or a folder with dist/main.js; repeat for several (each in turn);
            default: the current tree (npm run build)
  --reps    timed requests per field (default 15); --warmup untimed ones before (default 3); a field whose
            timed requests pass --max-seconds-per-field (default 60) stops there (after at least 3)
  --only    rows whose name contains one of these (the daily page is always measured: it is the reference)`;

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

const GOAL_RATIO = 10;
const COMMENTS = 20;
const REPLIES_PER_COMMENT = 2;

interface Probe {
  name: string;
  /** GraphQL (POST /graphql) or a GET of a feed path. */
  graphql?: { query: string; variables?: Record<string, unknown> };
  get?: string;
  token?: string;
}

const PAGE = `nodes { id title }`;
const FACETS = `facets { topics(first: 20) { count topic { slug } } months { month count } hasCode { withCode withoutCode } }`;
const RELATED = `related(first: 10) { score paper { id title } }`;

function probes(setup: AbuseSetup): Probe[] {
  const reader = setup.readers[0]!.token;
  const common = setup.commonWords[0]!;
  const orWords = setup.commonWords.slice(0, 24).join(' OR ');
  const search = (name: string, q: string, selection: string, mode = '', first = 20): Probe => ({
    name,
    graphql: { query: `query Calibrate($q: String!) { papers(query: $q${mode ? `, searchMode: ${mode}` : ''}, first: ${first}) { ${selection} } }`, variables: { q } },
  });
  const paperId = setup.paperIds[0]!;
  const collectionCitation = (format: string, repeats = 1): Probe => ({
    name: repeats === 1 ? `Collection.citation(${format}), 1,000 papers` : `nodes([collection × ${repeats}]) × citation CSL_JSON, BIBTEX, RIS (the flood's request)`,
    graphql:
      repeats === 1
        ? { query: `query Calibrate($id: ID!) { node(id: $id) { ... on Collection { citation(format: ${format}) } } }`, variables: { id: setup.collectionId } }
        : {
            query: `query Calibrate($ids: [ID!]!) { nodes(ids: $ids) { ... on Collection { a: citation(format: CSL_JSON) b: citation(format: BIBTEX) c: citation(format: RIS) } } }`,
            variables: { ids: Array<string>(repeats).fill(setup.collectionId) },
          },
  });
  const date = setup.dailyDates[0]!;
  return [
    { name: 'daily page (reference): 50 papers with authors and topics, signed in', graphql: { query: OPERATIONS.daily.document, variables: { date } }, token: reader },
    search(`search KEYWORD, common word ("${common}"), first 20`, common, PAGE),
    search(`search KEYWORD, rare word ("${setup.rareWord}"), first 20`, setup.rareWord, PAGE),
    search('search KEYWORD, 3 words ("state space models"), first 20', 'state space models', PAGE),
    search('search KEYWORD, phrase ("\\"mixture of experts\\""), first 20', '"mixture of experts"', PAGE),
    search('search KEYWORD, 20 hits with highlight (bench `search`, "video generation")', 'video generation', `edges { node { id title } highlight { title abstract } }`),
    search('search HYBRID, "video generation", first 20', 'video generation', PAGE, 'HYBRID'),
    search(`search HYBRID, common word ("${common}"), first 20`, common, PAGE, 'HYBRID'),
    search(`totalCount, common word ("${common}"), first 1`, common, 'totalCount', '', 1),
    search('totalCount, 24 common words OR, first 1 (the flood\'s KEYWORD request)', orWords, 'totalCount pageInfo { hasNextPage }', '', 1),
    search('totalCount, 24 common words OR, HYBRID, first 1 (the flood\'s HYBRID request)', orWords, 'totalCount pageInfo { hasNextPage }', 'HYBRID', 1),
    { name: 'totalCount, no query (whole catalog), first 1', graphql: { query: `{ papers(first: 1) { totalCount } }` } },
    search(`facets, common word ("${common}"), first 1`, common, FACETS, '', 1),
    search('facets, 24 common words OR, first 1 (the flood\'s facets request)', orWords, `totalCount ${FACETS}`, '', 1),
    { name: 'facets, no query (whole catalog), first 1', graphql: { query: `{ papers(first: 1) { ${FACETS} } }` } },
    { name: 'Paper.related(first: 10), 1 paper', graphql: { query: `query Calibrate($id: ID!) { node(id: $id) { ... on Paper { ${RELATED} } } }`, variables: { id: paperId } } },
    { name: 'Paper.related(first: 10), 20 papers (nodes)', graphql: { query: `query Calibrate($ids: [ID!]!) { nodes(ids: $ids) { ... on Paper { ${RELATED} } } }`, variables: { ids: setup.paperIds.slice(0, 20) } } },
    { name: 'Paper.related(first: 1) { score }, 100 papers (nodes)', graphql: { query: `query Calibrate($ids: [ID!]!) { nodes(ids: $ids) { ... on Paper { related(first: 1) { score } } } }`, variables: { ids: setup.paperIds.slice(500, 600) } } },
    {
      name: 'Paper.related(first: 1) { score }, 400 papers (4 × nodes, the flood\'s request)',
      graphql: {
        query: `query Calibrate($a: [ID!]!, $b: [ID!]!, $c: [ID!]!, $d: [ID!]!) { ${['a', 'b', 'c', 'd'].map((a) => `${a}: nodes(ids: $${a}) { ... on Paper { related(first: 1) { score } } }`).join(' ')} }`,
        variables: Object.fromEntries(['a', 'b', 'c', 'd'].map((a, i) => [a, setup.paperIds.slice(100 + i * 100, 200 + i * 100)])),
      },
    },
    { name: 'viewer.recommendedPapers(first: 20), the user with the most upvotes', graphql: { query: `{ viewer { recommendedPapers(first: 20) { score paper { id title } } } }` }, token: setup.recommender.token },
    collectionCitation('BIBTEX'),
    collectionCitation('RIS'),
    collectionCitation('CSL_JSON'),
    collectionCitation('ALL', 25),
    { name: 'Paper.citation(BIBTEX), 1 paper', graphql: { query: `query Calibrate($id: ID!) { node(id: $id) { ... on Paper { citation(format: BIBTEX) } } }`, variables: { id: paperId } } },
    { name: 'Paper.citation(CSL_JSON), 1 paper', graphql: { query: `query Calibrate($id: ID!) { node(id: $id) { ... on Paper { citation(format: CSL_JSON) } } }`, variables: { id: paperId } } },
    {
      name: 'Paper.citation(BIBTEX), 50 papers (the daily page\'s)',
      graphql: { query: `query Calibrate($date: Date!) { dailyPapers(date: $date) { papers(first: 50) { nodes { id citation(format: BIBTEX) } } } }`, variables: { date } },
    },
    {
      name: `Paper.comments(first: 20) with replies, a paper with ${COMMENTS} comments × ${REPLIES_PER_COMMENT} replies`,
      graphql: {
        query: `query Calibrate($id: ID!) { node(id: $id) { ... on Paper { commentCount comments(first: 20) { totalCount nodes { id bodyHtml createdAt author { handle displayName } replies(first: 5) { nodes { id bodyHtml author { handle } } } } } } } }`,
        variables: { id: paperId },
      },
    },
    { name: `feed /feeds/daily.atom?date=${date}`, get: `/feeds/daily.atom?date=${date}` },
    { name: 'feed /feeds/trending.atom?window=week', get: '/feeds/trending.atom?window=week' },
    { name: `feed /feeds/topics/${setup.topicSlug}.atom (the largest topic)`, get: `/feeds/topics/${setup.topicSlug}.atom` },
    { name: 'feed /feeds/authors/<id>.atom (the author with the most papers)', get: `/feeds/authors/${setup.authorId}.atom` },
    { name: `feed /feeds/search.atom?q=${common}`, get: `/feeds/search.atom?q=${encodeURIComponent(common)}` },
    { name: 'feed /feeds/search.atom?q=<24 common words OR>', get: `/feeds/search.atom?q=${encodeURIComponent(orWords)}` },
    { name: 'feed /feeds/collections/<id>.atom (1,000 papers)', get: `/feeds/collections/${setup.collectionId}.atom` },
  ];
}

/** Comments on the first sample paper, written once through the API (addComment), reused after. */
async function ensureComments(url: string, databaseUrl: string, setup: AbuseSetup): Promise<void> {
  const paperId = setup.paperIds[0]!;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Comment" WHERE "paperId" = $1 AND "deletedAt" IS NULL AND "hiddenAt" IS NULL`, [fromGlobalId(paperId).id]);
  await client.end();
  const want = COMMENTS * (1 + REPLIES_PER_COMMENT);
  if (rows[0]!.n >= want) return log(`comments: ${rows[0]!.n} on ${paperId} (reused)`);
  const body = (i: number) =>
    `Comment ${i} from the calibration bench. **Interesting** result; see [the paper](https://arxiv.org/abs/2401.00001) and \`code\`.\n\n- point one\n- point two\n\n> a quote of the abstract, long enough to be a realistic paragraph of a comment on a paper page.`;
  const add = async (text: string, parentId?: string): Promise<string> => {
    const answer = await request(url, {
      path: '/graphql',
      body: graphqlBody(`mutation Add($input: AddCommentInput!) { addComment(input: $input) { comment { id } userErrors { message } } }`, { input: { paperId, body: text, ...(parentId ? { parentId } : {}) } }),
      headers: bearer(setup.owner.token),
    });
    const id = (JSON.parse(answer.body) as { data?: { addComment?: { comment?: { id: string } } } }).data?.addComment?.comment?.id;
    if (!id) throw new Error(`addComment failed (${answer.status}): ${answer.body.slice(0, 300)}`);
    return id;
  };
  for (let i = rows[0]!.n; i < COMMENTS; i++) {
    const id = await add(body(i));
    for (let r = 0; r < REPLIES_PER_COMMENT; r++) await add(`Reply ${r}: ${body(i)}`, id);
  }
  log(`comments: written on ${paperId}`);
}

interface Row {
  name: string;
  /** Timed requests (fewer than asked for a field slower than --max-seconds-per-field allows). */
  reps: number;
  medianMs: number;
  p90Ms: number;
  /** What the response says was charged (GraphQL), else null. */
  charged: number | null;
  /** Remaining before minus after, between consecutive requests (median): what the budget lost. */
  budgetDelta: number | null;
  /** The points used for ms per point: `charged` for GraphQL, `budgetDelta` for feeds. */
  points: number | null;
  status: string;
  bytes: number;
}

async function measure(url: string, probe: Probe, reps: number, warmup: number, maxSecondsPerField: number): Promise<Row> {
  const send = () =>
    probe.get
      ? request(url, { path: probe.get, headers: bearer(probe.token), timeoutMs: 120_000 })
      : request(url, { path: '/graphql', body: graphqlBody(probe.graphql!.query, probe.graphql!.variables), headers: bearer(probe.token), timeoutMs: 120_000 });
  // Warm-up: one request only for a field that takes seconds.
  for (let i = 0; i < warmup; i++) if ((await send()).ms > 2000) break;
  const times: number[] = [];
  const deltas: number[] = [];
  const statuses = new Map<string, number>();
  let charged: number | null = null;
  let bytes = 0;
  let previous: number | null = null;
  const started = performance.now();
  for (let i = 0; i < reps; i++) {
    // A slow field gets fewer repetitions (at least 3): the whole table stays within minutes.
    if (i >= 3 && performance.now() - started > maxSecondsPerField * 1000) break;
    const answer = await send();
    times.push(answer.ms);
    bytes = answer.body.length;
    let status = String(answer.status);
    if (probe.graphql) {
      try {
        const parsed = JSON.parse(answer.body) as { errors?: { extensions?: { code?: string } }[]; extensions?: { cost?: { requested?: number; charged?: number } } };
        if (parsed.errors?.length) status += ` ${parsed.errors[0]!.extensions?.code ?? 'error'}`;
        const cost = parsed.extensions?.cost;
        charged = cost?.charged ?? cost?.requested ?? charged;
      } catch {
        status += ' (not JSON)';
      }
    }
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const remaining = remainingOf(answer.headers);
    // A window that closed in between shows as a rise: no difference then.
    if (remaining !== null && previous !== null && remaining <= previous) deltas.push(previous - remaining);
    previous = remaining;
  }
  const sorted = sortedOf(times);
  const budgetDelta = deltas.length ? percentile(sortedOf(deltas), 50) : null;
  return {
    name: probe.name,
    reps: times.length,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    charged,
    budgetDelta,
    // A timed-out operation's answer has no extensions: what the budget lost stands in.
    points: probe.get ? budgetDelta : (charged ?? budgetDelta),
    status: [...statuses].map(([s, n]) => (statuses.size > 1 ? `${n}× ${s}` : s)).join(', '),
    bytes,
  };
}

interface BuildRows {
  build: string;
  rows: Row[];
}

async function runBuild(build: Build, databaseUrl: string, setup: AbuseSetup, reps: number, warmup: number, maxSecondsPerField: number, only: string[] | null, logDir: string): Promise<BuildRows> {
  const logFile = path.join(logDir, `api-${build.name}.log`);
  log(`build ${build.name} (${build.dir}): starting; log ${logFile}`);
  const server = await startApi(build, apiEnv(databaseUrl, { RATE_LIMIT_POINTS: '1000000000' }), logFile);
  try {
    await ensureComments(server.url, databaseUrl, setup);
    const rows: Row[] = [];
    for (const probe of probes(setup)) {
      if (only && rows.length > 0 && !only.some((o) => probe.name.includes(o))) continue;
      const row = await measure(server.url, probe, reps, warmup, maxSecondsPerField);
      rows.push(row);
      log(`  ${row.name}: ${fmt(row.medianMs)} ms (p90 ${fmt(row.p90Ms)}), ${row.points ?? '?'} points, ${row.status}`);
    }
    return { build: build.name, rows };
  } finally {
    await server.stop();
  }
}

function report(results: BuildRows[], reps: number, warmup: number, meta: Record<string, string>): string {
  const out: string[] = [`# Cost calibration: ${results.map((r) => r.build).join(' vs ')}`, ''];
  out.push(`${meta.date}, commit ${meta.commit}, ${meta.machine}. Command: \`${meta.command}\`.`, '');
  out.push(
    `Each request alone, one connection, sequential: ${warmup} untimed, then ${reps} timed (client-side, to the last byte); catalog_bench_100k, production build, ` +
      `RATE_LIMIT_POINTS=1000000000 (never runs out), GRAPHQL_MAX_COST default. "charged": \`extensions.cost.charged ?? extensions.cost.requested\` ` +
      `(GraphQL) or the RateLimit header's difference (feeds); "budget Δ": what the RateLimit header's remaining lost per request (a check on "charged"). ` +
      `"measured cost": the median time in daily-page points (ms ÷ the daily page's ms per point). ` +
      `Goal: ms per point within ${GOAL_RATIO}× the daily page's, i.e. nothing charged less than a tenth of its measured cost.`,
    '',
  );
  for (const { build, rows } of results) {
    const reference = rows[0]!;
    const refPerPoint = reference.medianMs / (reference.points ?? NaN);
    out.push(`## ${build}`, '');
    out.push(`Reference: the daily page, ${fmt(reference.medianMs, 2)} ms for ${reference.points} points = ${fmt(refPerPoint, 4)} ms per point.`, '');
    out.push('| field | reps | median ms | p90 ms | charged | budget Δ | ms per point | × daily page | measured cost (points) | goal | status | response bytes |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |');
    for (const row of rows) {
      const perPoint = row.points ? row.medianMs / row.points : NaN;
      const ratio = perPoint / refPerPoint;
      const measured = row.medianMs / refPerPoint;
      out.push(
        `| ${row.name} | ${row.reps} | ${fmt(row.medianMs, 2)} | ${fmt(row.p90Ms, 2)} | ${row.charged ?? '–'} | ${row.budgetDelta ?? '–'} | ${fmt(perPoint, 3)} | ${fmt(ratio, 1)} | ${fmt(measured, 0)} | ${row === reference ? 'reference' : ratio <= GOAL_RATIO ? 'met' : '**missed**'} | ${row.status} | ${row.bytes} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      build: { type: 'string', multiple: true },
      reps: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      'max-seconds-per-field': { type: 'string', default: '60' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const reps = Number(values.reps);
  const warmup = Number(values.warmup);
  const maxSecondsPerField = Number(values['max-seconds-per-field']);
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const builds = resolveBuilds(values.build, log);
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const catalog = await ensureCatalog({ adminUrl, papers: 100_000, seed: 42, log });
  const databaseUrl = withDatabase(adminUrl, databaseName(100_000));
  const setup = await prepareAbuse(databaseUrl, catalog.marker, 1, log);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-calibrate-'));
  const results: BuildRows[] = [];
  try {
    for (const build of builds) results.push(await runBuild(build, databaseUrl, setup, reps, warmup, maxSecondsPerField, only, logDir));
  } finally {
    await restoreAbuse(databaseUrl, catalog.marker);
  }
  const meta = runMeta('bench:calibrate');
  const { date } = meta;
  const markdown = report(results, reps, warmup, meta);
  const out = values.out ? path.resolve(values.out) : path.join(ROOT, 'bench/results', `${date}-calibrate-${builds.map((b) => b.name).join('-vs-')}.md`);
  writeReport(out, markdown, { meta, reps, warmup, results });
  log(`wrote ${out} (and .json); server logs in ${logDir}`);
}

await main();
