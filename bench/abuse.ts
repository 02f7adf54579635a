// Fair under abuse (issue 23): does a signed-in reader keep its latency while one anonymous
// client floods the API with the most expensive requests its budget admits? See bench/README.md.
//
//   npm run bench:abuse -- [--build NAME|DIR ...] [--only search,citations,related,subscriptions]
//                          [--quiet-seconds 45] [--flood-seconds 90] [--out FILE]
//
// Per build (each started in turn, production build on catalog_bench_100k, default limits), per
// flood kind: a quiet phase (readers alone), then a flooded one (readers while 12 anonymous
// keep-alive connections from 127.0.0.1 send that kind's requests back to back). The readers
// (bench/abuse-reader.ts, a process of their own) load the daily page signed in at a steady
// rate; /healthz is probed throughout. Writes bench/results/<date>-abuse-<builds>.{md,json}.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import pg from 'pg';
import { CpuMeter, type CpuShare } from './cpu.ts';
import { databaseName, ensureCatalog, withDatabase } from './catalog.ts';
import { prepareAbuse, restoreAbuse, type AbuseSetup } from './abuse-setup.ts';
import { apiEnv, bearer, fmt, graphqlBody, percentile, remainingOf, request, resolveBuilds, sortedOf, startApi, type Build, runMeta, writeReport } from './abuse-server.ts';
import type { ReaderJob, ReaderResult, ReaderSample } from './abuse-reader.ts';
import { ROOT, type RunningServer } from './processes.ts';
import { OPERATIONS, rng } from './operations.ts';

export const FLOOD_KINDS = ['search', 'citations', 'related', 'subscriptions'] as const;
type FloodKind = (typeof FLOOD_KINDS)[number];

const USAGE = `usage: tsx bench/abuse.ts [--build NAME|DIR ...] [--only ${FLOOD_KINDS.join(',')}] [--quiet-seconds 45] [--flood-seconds 90]
       [--readers 10] [--reader-rate 4] [--connections 12] [--pause-after-429 50] [--upvote-rate 7] [--out FILE]
  --build            a build saved by \`bash bench/ab.sh save NAME\` (.bench-builds/NAME) or a folder with dist/main.js;
                     repeat to run several in one run (each started in turn); default: the current tree (npm run build)
  --only             flood kinds (default all: ${FLOOD_KINDS.join(', ')})
  --quiet-seconds    readers alone before each flood (default 45: also lets the attacker's 60 s window close)
  --flood-seconds    readers under the flood (default 90: a whole budget window and the start of the next)
  --readers          signed-in readers (tokens), each within its own budget (default 10)
  --reader-rate      daily pages per second, all readers together, open loop (default 4)
  --connections      attacker connections (default 12)
  --pause-after-429  ms an attacker connection waits after a 429 before its next request (default 50)
  --upvote-rate      upvotes per second of the subscription flood's signed-in user (default 7)
env: BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)`;

/** Subscription flood: connections × subscriptions per connection (the server's maximum, 20). */
const WS_CONNECTIONS = 15;
const SUBSCRIPTIONS_PER_CONNECTION = 20;
/** Of each connection's subscriptions, this many are papersFeatured (the rest paperUpdated). */
const FEATURED_PER_CONNECTION = 4;
const RELATED_ALIASES = ['a', 'b', 'c', 'd'];
const RELATED_IDS_PER_ALIAS = 100;
const CITATION_REPEATS = 25;
const SEARCH_WORDS = 24;
/**
 * The sizes the flood uses: the most expensive the server admits. They start at the issue's
 * (25 copies, 400 sources) and are halved while the server refuses them for their cost
 * (QUERY_TOO_COSTLY): the attacker then sends the largest request that runs.
 */
const sizes = { citationRepeats: CITATION_REPEATS, relatedIdsPerAlias: RELATED_IDS_PER_ALIAS, searchWords: SEARCH_WORDS };

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// ─── What the attacker sends ─────────────────────────────────────────────────────────────────

const SEARCH_DOCUMENTS = {
  keyword: `query Flood($q: String!) { papers(query: $q, first: 1) { totalCount pageInfo { hasNextPage } } }`,
  hybrid: `query Flood($q: String!) { papers(query: $q, searchMode: HYBRID, first: 1) { totalCount pageInfo { hasNextPage } } }`,
  facets: `query Flood($q: String!) { papers(query: $q, first: 1) { totalCount pageInfo { hasNextPage }
  facets { topics(first: 100) { count topic { slug } } months { month count } hasCode { withCode withoutCode } } } }`,
};

const CITATIONS_DOCUMENT = `query Flood($ids: [ID!]!) { nodes(ids: $ids) { ... on Collection { a: citation(format: CSL_JSON) b: citation(format: BIBTEX) c: citation(format: RIS) } } }`;

const RELATED_DOCUMENT = `query Flood(${RELATED_ALIASES.map((a) => `$${a}: [ID!]!`).join(', ')}) {
${RELATED_ALIASES.map((a) => `  ${a}: nodes(ids: $${a}) { ... on Paper { related(first: 1) { score } } }`).join('\n')}
}`;

const HEAVY_PAPER = `id arxivId title abstract upvotes commentCount
    authors { id name papers(first: 10) { totalCount nodes { id title } } }
    topics { slug name parent { slug name } }
    related(first: 20) { score paper { id title abstract authors { name } topics { slug } } }
    bibtex: citation(format: BIBTEX) csl: citation(format: CSL_JSON)
    comments(first: 20) { totalCount nodes { id bodyHtml } }`;
const PAPER_UPDATED = `subscription Watch($id: ID!) { paperUpdated(id: $id) { ${HEAVY_PAPER} } }`;
const PAPERS_FEATURED = `subscription Featured { papersFeatured { ${HEAVY_PAPER} } }`;
const UPVOTE = `mutation Up($id: ID!) { upvotePaper(paperId: $id) { paper { id upvotes } userErrors { code } } }`;
const REMOVE_UPVOTE = `mutation Down($id: ID!) { removeUpvote(paperId: $id) { paper { id upvotes } userErrors { code } } }`;

interface HttpAttack {
  /** What one request is, for the report. */
  describe: string;
  next: () => string;
}

function httpAttack(kind: Exclude<FloodKind, 'subscriptions'>, setup: AbuseSetup): HttpAttack {
  const random = rng(23);
  const pick = <T>(list: readonly T[], n: number): T[] => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  };
  switch (kind) {
    case 'search': {
      // HYBRID first: the costliest, so the probe's size is one the other two fit in too.
      const documents = [SEARCH_DOCUMENTS.hybrid, SEARCH_DOCUMENTS.keyword, SEARCH_DOCUMENTS.facets];
      let i = 0;
      return {
        describe: `papers(query: <${sizes.searchWords} of the ${setup.commonWords.length} commonest words joined by OR, a new draw each time>, first: 1) { totalCount pageInfo { hasNextPage } }, HYBRID / KEYWORD / KEYWORD with facets in turn`,
        next: () => graphqlBody(documents[i++ % documents.length]!, { q: pick(setup.commonWords, sizes.searchWords).join(' OR ') }),
      };
    }
    case 'citations':
      return {
        describe: `nodes(ids: [the 1,000-paper public collection × ${sizes.citationRepeats}]) { ... on Collection { citation × CSL_JSON, BIBTEX, RIS } }`,
        next: () => graphqlBody(CITATIONS_DOCUMENT, { ids: Array<string>(sizes.citationRepeats).fill(setup.collectionId) }),
      };
    case 'related':
      return {
        describe: `${RELATED_ALIASES.length} × nodes(ids: [${sizes.relatedIdsPerAlias} random papers]) { ... on Paper { related(first: 1) { score } } }: ${RELATED_ALIASES.length * sizes.relatedIdsPerAlias} sources a request`,
        next: () => {
          const per = sizes.relatedIdsPerAlias;
          const ids = pick(setup.paperIds, RELATED_ALIASES.length * per);
          return graphqlBody(RELATED_DOCUMENT, Object.fromEntries(RELATED_ALIASES.map((a, i) => [a, ids.slice(i * per, (i + 1) * per)])));
        },
      };
  }
}

// ─── Counting ────────────────────────────────────────────────────────────────────────────────

interface StatusCounts {
  ok: number;
  /** 200 with GraphQL `errors`. */
  okWithErrors: number;
  s429: number;
  s503: number;
  /** Other statuses, and no answer at all (status 0: timeout or connection error). */
  other: Record<string, number>;
}

const noCounts = (): StatusCounts => ({ ok: 0, okWithErrors: 0, s429: 0, s503: 0, other: {} });

function count(counts: StatusCounts, status: number, body: string): void {
  if (status === 200) {
    if (body.includes('"errors":[')) counts.okWithErrors++;
    else counts.ok++;
  } else if (status === 429) counts.s429++;
  else if (status === 503) counts.s503++;
  else counts.other[String(status)] = (counts.other[String(status)] ?? 0) + 1;
}

const otherText = (counts: StatusCounts) =>
  Object.entries(counts.other)
    .map(([status, n]) => `${n}×${status === '0' ? 'no answer' : status}`)
    .join(', ') || '0';

interface AttackResult {
  describe: string;
  /** The `extensions.cost.requested` of one request (as the server reported it at warm-up). */
  cost: number | null;
  counts: StatusCounts;
  /** Latency of the admitted (200) answers, ms. */
  okLatency: { p50: number; p95: number; max: number };
  /** Per 10 s of the flood: admitted answers. */
  okPer10s: number[];
  /** Subscription flood only. */
  subscriptions?: { connected: number; subscribed: number; events: number; errors: number; closes: Record<string, number>; upvotes: StatusCounts };
}

// ─── The attackers ───────────────────────────────────────────────────────────────────────────

/**
 * Each HTTP flood kind attacks from an address of its own on the loopback (127.0.0.11, .12,
 * .13): one anonymous client per kind, so a debt one flood ran up (a measured charge blocks its
 * client for as many windows as it owes) does not keep the next kind's attacker out.
 */
const attackerAddress = (kind: FloodKind) => `127.0.0.${11 + FLOOD_KINDS.indexOf(kind)}`;

async function runHttpAttack(url: string, attack: HttpAttack, connections: number, seconds: number, pauseAfter429: number, localAddress: string): Promise<Omit<AttackResult, 'cost'>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, localAddress });
  const counts = noCounts();
  const okMs: number[] = [];
  const okPer10s: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const at = performance.now();
        let status = 0;
        try {
          const answer = await request(url, { path: '/graphql', body: attack.next(), agent, timeoutMs: 60_000 });
          status = answer.status;
          count(counts, answer.status, answer.body);
          if (answer.status === 200) {
            okMs.push(answer.ms);
            const bucket = Math.floor((at - started) / 10_000);
            okPer10s[bucket] = (okPer10s[bucket] ?? 0) + 1;
          }
        } catch {
          count(counts, 0, '');
          await sleep(100);
        }
        if (status === 429) await sleep(pauseAfter429);
      }
    }),
  );
  agent.destroy();
  const sorted = sortedOf(okMs);
  return {
    describe: attack.describe,
    counts,
    okLatency: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN },
    okPer10s: Array.from({ length: Math.ceil(seconds / 10) }, (_, i) => okPer10s[i] ?? 0),
  };
}

async function runSubscriptionAttack(url: string, setup: AbuseSetup, seconds: number, upvoteRate: number): Promise<Omit<AttackResult, 'cost'>> {
  const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
  const closes: Record<string, number> = {};
  let connected = 0;
  let subscribed = 0;
  let events = 0;
  let errors = 0;
  const eventsPer10s: number[] = [];
  const started = performance.now();
  const clients: Client[] = [];
  const unsubscribes: (() => void)[] = [];
  for (let c = 0; c < WS_CONNECTIONS; c++) {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: {
        connected: () => connected++,
        closed: (event) => {
          const code = String((event as { code?: number }).code ?? '?');
          closes[code] = (closes[code] ?? 0) + 1;
        },
      },
    });
    clients.push(client);
    for (let s = 0; s < SUBSCRIPTIONS_PER_CONNECTION; s++) {
      const featured = s < FEATURED_PER_CONNECTION;
      const payload = featured
        ? { query: PAPERS_FEATURED }
        : { query: PAPER_UPDATED, variables: { id: setup.upvoteTargets[(c * SUBSCRIPTIONS_PER_CONNECTION + s) % setup.upvoteTargets.length]! } };
      subscribed++;
      unsubscribes.push(
        client.subscribe(payload, {
          next: (value) => {
            if (value.errors) errors++;
            else {
              events++;
              const bucket = Math.floor((performance.now() - started) / 10_000);
              eventsPer10s[bucket] = (eventsPer10s[bucket] ?? 0) + 1;
            }
          },
          error: () => errors++,
          complete: () => {},
        }),
      );
    }
  }
  // The signed-in user's upvotes, paced (one connection): upvote, take back, next paper.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const upvotes = noCounts();
  const end = started + seconds * 1000;
  for (let i = 0; ; i++) {
    const at = started + (i * 1000) / upvoteRate;
    if (at >= end) break;
    await sleep(at - performance.now());
    const id = setup.upvoteTargets[Math.floor(i / 2) % setup.upvoteTargets.length]!;
    try {
      const answer = await request(url, { path: '/graphql', body: graphqlBody(i % 2 === 0 ? UPVOTE : REMOVE_UPVOTE, { id }), headers: bearer(setup.upvoter.token), agent, timeoutMs: 60_000 });
      count(upvotes, answer.status, answer.body);
    } catch {
      count(upvotes, 0, '');
    }
  }
  await sleep(Math.max(0, end - performance.now()));
  for (const unsubscribe of unsubscribes) unsubscribe();
  await Promise.all(clients.map((client) => client.dispose()));
  agent.destroy();
  return {
    describe: `${WS_CONNECTIONS} WebSocket connections × ${SUBSCRIPTIONS_PER_CONNECTION} subscriptions (${SUBSCRIPTIONS_PER_CONNECTION - FEATURED_PER_CONNECTION} paperUpdated over ${setup.upvoteTargets.length} papers, ${FEATURED_PER_CONNECTION} papersFeatured), heavy selection (authors with their papers, related(first: 20), two citations, comments), while one signed-in user upvotes and takes back those papers at ${upvoteRate}/s`,
    counts: upvotes,
    okLatency: { p50: NaN, p95: NaN, max: NaN },
    okPer10s: Array.from({ length: Math.ceil(seconds / 10) }, (_, i) => eventsPer10s[i] ?? 0),
    subscriptions: { connected, subscribed, events, errors, closes, upvotes },
  };
}

// ─── The readers (a child process) ───────────────────────────────────────────────────────────

function runReaders(job: ReaderJob): Promise<ReaderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/abuse-reader.ts'), JSON.stringify(job)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/abuse-reader.ts exited with ${code}`));
      resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReaderResult);
    });
  });
}

interface ReaderSummary {
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** 2xx without errors. */
  ok: number;
  s5xx: number;
  s429: number;
  /** 2xx with GraphQL errors, other statuses, no answer. */
  otherFailures: number;
  /** Reader p95 of each 10 s of the phase. */
  p95Per10s: number[];
  healthzMaxMs: number;
  healthzP99Ms: number;
}

function summarizeReaders(result: ReaderResult, seconds: number): ReaderSummary {
  // Latency over every answer that came (a 5xx that took 10 s is a slow page too); failures counted apart.
  const answered = result.reader.filter((s) => s.status !== 0);
  const sorted = sortedOf(answered.map((s) => s.ms));
  const buckets: ReaderSample[][] = Array.from({ length: Math.ceil(seconds / 10) }, () => []);
  for (const s of answered) buckets[Math.min(buckets.length - 1, Math.floor(s.t / 10_000))]!.push(s);
  const healthz = sortedOf(result.healthz.map((h) => h.ms));
  return {
    requests: result.reader.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    ok: result.reader.filter((s) => s.status >= 200 && s.status < 300 && !s.errors).length,
    s5xx: result.reader.filter((s) => s.status >= 500).length,
    s429: result.reader.filter((s) => s.status === 429).length,
    otherFailures: result.reader.filter((s) => s.status === 0 || (s.status >= 200 && s.status < 300 && s.errors) || (s.status >= 300 && s.status < 500 && s.status !== 429)).length,
    p95Per10s: buckets.map((b) => percentile(sortedOf(b.map((s) => s.ms)), 95)),
    healthzMaxMs: healthz.at(-1) ?? NaN,
    healthzP99Ms: percentile(healthz, 99),
  };
}

// ─── Phases ──────────────────────────────────────────────────────────────────────────────────

/**
 * Waits (at most `maxMs`) until no statement of the bench database is running: what a flood
 * left running (statements go on after their request timed out) would otherwise be measured as
 * the next phase's "quiet". Returns the seconds waited.
 */
async function settle(databaseUrl: string, maxMs = 120_000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  try {
    let idle = 0;
    while (performance.now() - started < maxMs) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      idle = rows[0]!.n === 0 ? idle + 1 : 0;
      if (idle >= 3) break;
      await sleep(500);
    }
  } finally {
    await client.end();
  }
  return Math.round((performance.now() - started) / 100) / 10;
}

interface Phase {
  readers: ReaderSummary;
  attack?: AttackResult;
  rssPeakMb: number;
  /**
   * Cores used on average over the phase (bench/cpu.ts): the API, the bench database's Postgres
   * backends, this process (the attacker's load generator) and everything else (the readers'
   * process, and other people's work on a shared machine).
   */
  cpu: CpuShare;
  /** Before the phase: seconds waited for the bench database to have no statement running, and for other load to drop. */
  settledSeconds: number;
  quiet: { waitedMs: number; foreign: number };
}

interface Options {
  quietSeconds: number;
  floodSeconds: number;
  readers: number;
  readerRate: number;
  connections: number;
  pauseAfter429: number;
  upvoteRate: number;
}

/** Phases wait (at most QUIET_WAIT_MS) until other processes use at most QUIET_CORES. */
const QUIET_CORES = 0.5;
const QUIET_WAIT_MS = 15_000;

async function phase(
  server: RunningServer,
  context: { setup: AbuseSetup; options: Options; databaseUrl: string; meter: CpuMeter },
  seconds: number,
  attack?: { kind: FloodKind; cost: number | null },
): Promise<Phase> {
  const { setup, options } = context;
  const settledSeconds = await settle(context.databaseUrl);
  const quiet = await context.meter.quiet(QUIET_CORES, QUIET_WAIT_MS);
  server.memory.window();
  const before = context.meter.snapshot();
  const job: ReaderJob = {
    url: server.url,
    tokens: setup.readers.map((r) => r.token),
    dates: setup.dailyDates,
    rate: options.readerRate,
    seconds,
    probeEveryMs: 100,
  };
  const readers = runReaders(job);
  let attackResult: AttackResult | undefined;
  if (attack) {
    // The readers' process needs a moment to start: the flood starts with their first requests.
    await sleep(1500);
    const result =
      attack.kind === 'subscriptions'
        ? await runSubscriptionAttack(server.url, setup, seconds - 1.5, options.upvoteRate)
        : await runHttpAttack(server.url, httpAttack(attack.kind, setup), options.connections, seconds - 1.5, options.pauseAfter429, attackerAddress(attack.kind));
    attackResult = { ...result, cost: attack.cost };
  }
  const readerResult = await readers;
  return {
    readers: summarizeReaders(readerResult, seconds),
    attack: attackResult,
    rssPeakMb: server.memory.peak(),
    cpu: CpuMeter.share(before, context.meter.snapshot()),
    settledSeconds,
    quiet,
  };
}

/** One request of each kind, once, checked: admitted, no errors; returns its requested cost. */
async function probeCosts(url: string, setup: AbuseSetup): Promise<Record<FloodKind, number | null>> {
  const costs = {} as Record<FloodKind, number | null>;
  // What the address's budget lost, from the RateLimit header, where the answer has no extensions (a timeout).
  let previous: number | null = null;
  for (const kind of FLOOD_KINDS) {
    const body =
      kind === 'subscriptions'
        ? graphqlBody(`query Probe($id: ID!) { node(id: $id) { ... on Paper { ${HEAVY_PAPER} } } }`, { id: setup.upvoteTargets[0] })
        : httpAttack(kind, setup).next();
    // Signed in, one user a kind (see AbuseSetup.probers): the attacker's address stays clean.
    const headers = bearer(setup.probers[FLOOD_KINDS.indexOf(kind)]!.token);
    let answer = await request(url, { path: '/graphql', body, headers, timeoutMs: 120_000 });
    for (;;) {
      const again = () => request(url, { path: '/graphql', body: kind === 'subscriptions' ? body : httpAttack(kind, setup).next(), headers, timeoutMs: 120_000 });
      // The budget spent by an earlier probe (a measured charge): wait its window out.
      if (answer.status === 429) {
        const wait = Number(answer.headers['retry-after'] ?? 60) + 1;
        log(`  ${kind}: budget spent by the probes; waiting ${wait} s`);
        await sleep(wait * 1000);
        previous = null;
        answer = await again();
        continue;
      }
      // Too costly to run at all: the largest that runs is the most expensive request admitted.
      if (answer.status === 400 && answer.body.includes('QUERY_TOO_COSTLY') && kind !== 'subscriptions') {
        const key = kind === 'citations' ? 'citationRepeats' : kind === 'related' ? 'relatedIdsPerAlias' : 'searchWords';
        if (sizes[key] > 1) {
          sizes[key] = Math.max(1, Math.floor(sizes[key] / 2));
          log(`  ${kind}: refused for its cost; trying ${sizes[key]}`);
          answer = await again();
          continue;
        }
      }
      break;
    }
    const parsed = JSON.parse(answer.body) as { errors?: { message: string }[]; extensions?: { cost?: { requested?: number; charged?: number } } };
    // Refused for what it asks (bad input, over the cost maximum) is a bench bug; a timeout (503) is what the flood may get.
    if (answer.status !== 200 && answer.status !== 503) throw new Error(`the ${kind} flood's request is refused (${answer.status}): ${answer.body.slice(0, 400)}`);
    if (answer.status === 200 && parsed.errors) throw new Error(`the ${kind} flood's request is refused: ${answer.body.slice(0, 400)}`);
    const remaining = remainingOf(answer.headers);
    const policy = Number(/;q=(\d+)/.exec(String(answer.headers['ratelimit-policy'] ?? ''))?.[1] ?? NaN);
    const lost = remaining === null ? null : (previous ?? policy) - remaining;
    previous = remaining;
    costs[kind] = parsed.extensions?.cost?.charged ?? parsed.extensions?.cost?.requested ?? (lost !== null && Number.isFinite(lost) ? lost : null);
    log(`  ${kind}: one request ${fmt(answer.ms, 0)} ms (${answer.status}), cost ${costs[kind]}${kind === 'subscriptions' ? ' (the subscription selection, asked as a query)' : ''}`);
  }
  return costs;
}

interface KindResult {
  kind: FloodKind;
  quiet: Phase;
  flood: Phase;
}

interface BuildResult {
  build: string;
  dir: string;
  readerCost: number | null;
  costs: Record<FloodKind, number | null>;
  kinds: KindResult[];
  restarts: string[];
}

async function runBuild(build: Build, databaseUrl: string, setup: AbuseSetup, kinds: FloodKind[], options: Options, logDir: string): Promise<BuildResult> {
  const logFile = path.join(logDir, `api-${build.name}.log`);
  Object.assign(sizes, { citationRepeats: CITATION_REPEATS, relatedIdsPerAlias: RELATED_IDS_PER_ALIAS, searchWords: SEARCH_WORDS });
  log(`build ${build.name} (${build.dir}): starting; log ${logFile}`);
  const server = await startApi(build, apiEnv(databaseUrl), logFile);
  try {
    // Warm-up: the readers' page (which also says what it costs) and one request of each flood.
    let readerCost: number | null = null;
    for (let i = 0; i < 20; i++) {
      const answer = await request(server.url, {
        path: '/graphql',
        body: graphqlBody(OPERATIONS.daily.document, { date: setup.dailyDates[i % setup.dailyDates.length] }),
        headers: bearer(setup.readers[i % setup.readers.length]!.token),
      });
      const cost = (JSON.parse(answer.body) as { extensions?: { cost?: { requested?: number; charged?: number } } }).extensions?.cost;
      readerCost = cost?.charged ?? cost?.requested ?? null;
    }
    const perReader = readerCost === null ? NaN : (readerCost * options.readerRate * 60) / setup.readers.length;
    log(`  daily page: cost ${readerCost}; each reader spends about ${fmt(perReader, 0)} points a minute`);
    const costs = await probeCosts(server.url, setup);
    // The readers' warm-up opened their windows: let them close before measuring.
    log('  waiting 61 s for the warm-up\'s budget windows to close');
    await sleep(61_000);
    const results: KindResult[] = [];
    const context = { setup, options, databaseUrl, meter: new CpuMeter(databaseUrl, () => [server.pid]) };
    for (const kind of kinds) {
      log(`  ${kind}: quiet ${options.quietSeconds} s`);
      const quiet = await phase(server, context, options.quietSeconds);
      log(`  ${kind}: flood ${options.floodSeconds} s (waited ${quiet.settledSeconds} s for the database to settle)`);
      const flood = await phase(server, context, options.floodSeconds, { kind, cost: costs[kind] });
      results.push({ kind, quiet, flood });
      log(`  ${kind}: reader p95 ${fmt(quiet.readers.p95)} → ${fmt(flood.readers.p95)} ms, reader 5xx ${flood.readers.s5xx}, attacker 200 ${flood.attack?.counts.ok} / 429 ${flood.attack?.counts.s429} / 503 ${flood.attack?.counts.s503} / other ${otherText(flood.attack!.counts)}, healthz max ${fmt(flood.readers.healthzMaxMs, 0)} ms`);
      if (server.exited()) throw new Error(`the API ended (${server.exited()}) during the ${kind} flood; see ${logFile}`);
    }
    return { build: build.name, dir: build.dir, readerCost, costs, kinds: results, restarts: [] };
  } finally {
    await server.stop();
  }
}

// ─── Report ──────────────────────────────────────────────────────────────────────────────────

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const GOAL_P95_RATIO = 2;

function report(results: BuildResult[], setup: AbuseSetup, options: Options, meta: Record<string, string>): string {
  const out: string[] = [];
  out.push(`# Fair under abuse: ${results.map((r) => r.build).join(' vs ')}`, '');
  out.push(`${meta.date}, commit ${meta.commit}, ${meta.machine}. Command: \`${meta.command}\`.`, '');
  out.push(
    `Readers: ${setup.readers.length} signed-in users (bearer tokens) load the daily page (50 papers with authors and topics; bench/operations.ts \`daily\`) ` +
      `at ${options.readerRate} req/s together, open loop, each within its own budget. Attacker: anonymous, one loopback address per flood kind (127.0.0.11-13; subscriptions from 127.0.0.1), one budget each, ` +
      `${options.connections} keep-alive connections back to back (a ${options.pauseAfter429} ms pause after a 429), ` +
      `the server at its default limits (5,000 points a minute per client, 1,000 per request). Quiet: ${options.quietSeconds} s; flooded: ${options.floodSeconds} s. ` +
      `Latency over every answered reader request; "5xx" and "other" count failures apart. ` +
      `Goal: reader p95 flooded within ${GOAL_P95_RATIO}× quiet, no reader 5xx.`,
    '',
  );
  out.push('## Summary', '');
  out.push(
    table(
      ['flood', 'build', 'reader p95 quiet → flooded (ms)', '× quiet', 'reader 5xx', 'attacker 200 / 429 / 503 / other', 'longest /healthz (ms)', 'goal'],
      results.flatMap((r) =>
        r.kinds.map((k) => {
          const ratio = k.flood.readers.p95 / k.quiet.readers.p95;
          const a = k.flood.attack!.counts;
          return [
            k.kind,
            r.build,
            `${fmt(k.quiet.readers.p95)} → ${fmt(k.flood.readers.p95)}`,
            fmt(ratio, 2),
            String(k.flood.readers.s5xx),
            `${a.ok} / ${a.s429} / ${a.s503} / ${otherText(a)}${a.okWithErrors ? ` (+${a.okWithErrors} 200 with errors)` : ''}`,
            fmt(k.flood.readers.healthzMaxMs, 0),
            ratio <= GOAL_P95_RATIO && k.flood.readers.s5xx === 0 ? 'met' : '**missed**',
          ];
        }),
      ),
    ),
    '',
  );
  for (const kind of FLOOD_KINDS) {
    const rows = results.flatMap((r) => r.kinds.filter((k) => k.kind === kind).map((k) => ({ build: r.build, cost: r.costs[kind], k })));
    if (!rows.length) continue;
    const first = rows[0]!.k.flood.attack!;
    out.push(`## ${kind}`, '', `Attacker's request: ${first.describe}; cost ${rows.map((r) => `${r.cost} (${r.build})`).join(', ')} points.`, '');
    out.push(
      table(
        ['build', 'phase', 'reader req', 'p50', 'p95', 'p99', 'max', 'p95 × quiet', 'reader 5xx', 'reader 429', 'reader other', 'attacker 200', '200 w/ errors', '429', '503', 'other', 'RSS peak (MB)', 'longest /healthz (ms)', 'cores: API / Postgres / generator / other', 'settle before (s)'],
        rows.flatMap(({ build, k }) =>
          (['quiet', 'flood'] as const).map((name) => {
            const p = k[name];
            const a = p.attack?.counts;
            return [
              build,
              name === 'quiet' ? 'quiet' : 'flooded',
              String(p.readers.requests),
              fmt(p.readers.p50),
              fmt(p.readers.p95),
              fmt(p.readers.p99),
              fmt(p.readers.max, 0),
              name === 'flood' ? fmt(p.readers.p95 / k.quiet.readers.p95, 2) : '',
              String(p.readers.s5xx),
              String(p.readers.s429),
              String(p.readers.otherFailures),
              a ? String(a.ok) : '',
              a ? String(a.okWithErrors) : '',
              a ? String(a.s429) : '',
              a ? String(a.s503) : '',
              a ? otherText(a) : '',
              fmt(p.rssPeakMb, 0),
              fmt(p.readers.healthzMaxMs, 0),
              `${fmt(p.cpu.server, 2)} / ${fmt(p.cpu.postgres, 2)} / ${fmt(p.cpu.loadGenerator, 2)} / ${fmt(p.cpu.foreign, 2)}`,
              fmt(p.settledSeconds, 1),
            ];
          }),
        ),
      ),
      '',
    );
    for (const { build, k } of rows) {
      const a = k.flood.attack!;
      const per10 = kind === 'subscriptions' ? 'events delivered' : 'attacker 200s';
      out.push(`${build}, flooded, per 10 s: reader p95 ${k.flood.readers.p95Per10s.map((v) => fmt(v, 0)).join(' · ')} ms; ${per10} ${a.okPer10s.join(' · ')}.` + (a.okLatency.p50 >= 0 ? ` Attacker's admitted answers: p50 ${fmt(a.okLatency.p50, 0)} ms, p95 ${fmt(a.okLatency.p95, 0)}, max ${fmt(a.okLatency.max, 0)}.` : ''));
      if (a.subscriptions) {
        const s = a.subscriptions;
        out.push(`Subscriptions: ${s.connected} connections, ${s.subscribed} subscribed, ${s.events} events delivered, ${s.errors} errors, closes ${JSON.stringify(s.closes)}; the attacker columns above are the upvoter's HTTP answers.`);
      }
      out.push('');
    }
  }
  out.push(
    'Columns: "reader other" = no answer, a 2xx with GraphQL errors, or a 4xx other than 429. "cores": CPU over the phase of the API process, ' +
      "the bench database's Postgres backends, the bench process (the attacker's load generator) and everything else (the readers' process, Postgres's parallel workers, " +
      `other people's work on a shared machine); each phase first waits (at most ${QUIET_WAIT_MS / 1000} s) for "everything else" to drop to ${QUIET_CORES} cores. ` +
      '"settle before": seconds the phase waited for the bench database to have no statement running (a flood\'s statements go on after its requests time out: ' +
      'the quiet phase after a flood starts once they are over). The machine has 2 cores shared with other work: compare ratios within one run.',
    '',
  );
  return out.join('\n');
}

// ─── Main ────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      build: { type: 'string', multiple: true },
      only: { type: 'string' },
      'quiet-seconds': { type: 'string', default: '45' },
      'flood-seconds': { type: 'string', default: '90' },
      readers: { type: 'string', default: '10' },
      'reader-rate': { type: 'string', default: '4' },
      connections: { type: 'string', default: '12' },
      'pause-after-429': { type: 'string', default: '50' },
      'upvote-rate': { type: 'string', default: '7' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const kinds = (values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...FLOOD_KINDS]) as FloodKind[];
  for (const kind of kinds) if (!FLOOD_KINDS.includes(kind)) throw new Error(`--only: unknown flood "${kind}"\n${USAGE}`);
  const options: Options = {
    quietSeconds: Number(values['quiet-seconds']),
    floodSeconds: Number(values['flood-seconds']),
    readers: Number(values.readers),
    readerRate: Number(values['reader-rate']),
    connections: Number(values.connections),
    pauseAfter429: Number(values['pause-after-429']),
    upvoteRate: Number(values['upvote-rate']),
  };
  const builds = resolveBuilds(values.build, log);
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const catalog = await ensureCatalog({ adminUrl, papers: 100_000, seed: 42, log });
  const databaseUrl = withDatabase(adminUrl, databaseName(100_000));
  const setup = await prepareAbuse(databaseUrl, catalog.marker, options.readers, log);
  log(`readers ${setup.readers.length}, collection ${setup.collectionId}, common words: ${setup.commonWords.join(' ')}`);
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-abuse-'));
  const results: BuildResult[] = [];
  try {
    for (const build of builds) results.push(await runBuild(build, databaseUrl, setup, kinds, options, logDir));
  } finally {
    const { votesRemoved } = await restoreAbuse(databaseUrl, catalog.marker);
    log(`restored: ${votesRemoved} bench votes removed, bench-abuse tokens deleted`);
  }
  const meta = runMeta('bench:abuse');
  const { date } = meta;
  const markdown = report(results, setup, options, meta);
  const out = values.out ? path.resolve(values.out) : path.join(ROOT, 'bench/results', `${date}-abuse-${builds.map((b) => b.name).join('-vs-')}.md`);
  writeReport(out, markdown, { meta, options, results });
  log(`wrote ${out} (and .json); server logs in ${logDir}`);
}

await main();
