// The markdown report of a run (the JSON beside it has every number, and more).
import type { LoadResult } from './load.ts';
import { OPERATIONS, type OperationName } from './operations.ts';
import type { BenchResult, ScaleResult } from './run.ts';

const GOAL_RATIO = 0.5;
const GOAL_P99_MS = 50;
const GOAL_DAILY_STATEMENTS = 5;
const GOAL_RSS_MB = 300;

// Shared with bench/discovery.ts's report.
export const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
export const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
export const pct = (r: number) => (Number.isFinite(r) ? `${(r * 100).toFixed(0)} %` : '–');
export const mark = (ok: boolean) => (ok ? 'yes' : '**no**');
export const k = (papers: number) => (papers >= 1_000_000 && papers % 1_000_000 === 0 ? `${papers / 1_000_000}M` : `${papers / 1000}k`);

export function problems(r: LoadResult): string {
  const n = r.non2xx + r.graphqlErrors + r.errors + r.timeouts;
  return n ? ` ⚠ ${n} failed` : '';
}

export function table(head: string[], rows: string[][], align?: string[]): string {
  const sep = align ?? head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function at(scale: ScaleResult, op: OperationName, connections: number) {
  return scale.operations.find((o) => o.name === op)?.steps.find((s) => s.connections === connections);
}

function goals(scale: ScaleResult): string {
  const rows: string[][] = [];
  for (const o of scale.operations) {
    const s = o.steps.find((x) => x.connections === 16);
    if (!s) continue;
    const r = ratio(s.api.rps, s.lowerBound.rps);
    if (o.kind === 'read') {
      rows.push([`${o.name}: throughput ≥ ${pct(GOAL_RATIO)} of the lower bound at 16 connections`, `${pct(r)} (${f0(s.api.rps)} vs ${f0(s.lowerBound.rps)} req/s)`, mark(r >= GOAL_RATIO)]);
    }
    rows.push([`${o.name}: p99 < ${GOAL_P99_MS} ms at 16 connections${o.kind === 'write' ? ' (write)' : ''}`, `${f2(s.api.latency.p99)} ms`, mark(s.api.latency.p99 < GOAL_P99_MS)]);
  }
  const daily = scale.statements.daily;
  if (daily) rows.push([`daily: at most ${GOAL_DAILY_STATEMENTS} SQL statements, token lookup included`, String(daily.statements), mark(daily.statements <= GOAL_DAILY_STATEMENTS)]);
  rows.push([`API RSS under ${GOAL_RSS_MB} MB under load`, `${f0(scale.memory.apiRssPeakUnderLoadMb)} MB peak (VmHWM ${f0(scale.memory.apiVmHwmMb)} MB)`, mark(scale.memory.apiRssPeakUnderLoadMb < GOAL_RSS_MB)]);
  return table(['goal', 'measured', 'met'], rows, ['---', '---:', ':---:']);
}

function results(scale: ScaleResult): string {
  const rows: string[][] = [];
  for (const o of scale.operations) {
    for (const s of o.steps) {
      rows.push([
        s.connections === o.steps[0]!.connections ? `**${o.name}**` : '',
        String(s.connections),
        `${f0(s.api.rps)}${problems(s.api)}`,
        `${f0(s.lowerBound.rps)}${problems(s.lowerBound)}`,
        pct(ratio(s.api.rps, s.lowerBound.rps)),
        f2(s.api.latency.p50),
        f2(s.lowerBound.latency.p50),
        f2(s.api.latency.p99),
        f2(s.lowerBound.latency.p99),
        `${f2(ratio(s.api.latency.p99, s.lowerBound.latency.p99))}×`,
        `${s.api.cpu.server.toFixed(2)} / ${s.api.cpu.postgres.toFixed(2)}`,
        `${s.lowerBound.cpu.server.toFixed(2)} / ${s.lowerBound.cpu.postgres.toFixed(2)}`,
        `${Math.max(s.api.cpu.foreign, s.lowerBound.cpu.foreign).toFixed(2)}`,
      ]);
    }
  }
  return `${table(
    ['operation', 'conn', 'API req/s', 'bound req/s', 'API/bound', 'API p50 ms', 'bound p50 ms', 'API p99 ms', 'bound p99 ms', 'p99 API/bound', 'API cores node / pg', 'bound cores node / pg', 'other load'],
    rows,
  )}

Cores: CPU used on average during the step by the server process and by the Postgres backends of the bench database
(the load generator's share is in the JSON); "other load": cores used meanwhile by anything else on the machine (the
higher of the two steps; steps wait up to a bounded time for it to drop under 0.3 cores before starting, and a step
that had more anyway is run once more and the quieter run kept).`;
}

function statements(scale: ScaleResult): string {
  const entries = Object.entries(scale.statements) as [OperationName, NonNullable<ScaleResult['statements'][OperationName]>][];
  const rows = entries.map(([op, c]) => [
    op,
    String(c.statements),
    String(c.firstRun),
  ]);
  const detail = entries
    .map(([op, c]) => `${op}:\n${c.sql.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`)
    .join('\n\n');
  return `${table(['operation', 'statements', 'first run (token lastUsedAt write included)'], rows)}

<details><summary>The statements (cut to 300 characters)</summary>

\`\`\`
${detail}
\`\`\`
</details>`;
}

function scaling(small: ScaleResult, large: ScaleResult): string {
  const rows: string[][] = [];
  for (const o of large.operations) {
    for (const c of [1, 16]) {
      const a = at(small, o.name, c);
      const b = at(large, o.name, c);
      if (!a || !b) continue;
      const change = (x: number, y: number) => (x > 0 ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(0)} %` : '–');
      rows.push([
        c === 1 ? `**${o.name}**` : '',
        String(c),
        f2(a.api.latency.p50),
        f2(b.api.latency.p50),
        change(a.api.latency.p50, b.api.latency.p50),
        f2(a.api.latency.p99),
        f2(b.api.latency.p99),
        change(a.api.latency.p99, b.api.latency.p99),
        change(a.lowerBound.latency.p50, b.lowerBound.latency.p50),
      ]);
    }
  }
  return table(['operation', 'conn', `p50 ${k(small.papers)}`, `p50 ${k(large.papers)}`, 'p50 change', `p99 ${k(small.papers)}`, `p99 ${k(large.papers)}`, 'p99 change', 'bound p50 change'], rows);
}

/** API vs PostGraphile (alternated A B A B) with the lower bound beside them. */
function postgraphile(result: BenchResult, scale: ScaleResult): string {
  const rows: string[][] = [];
  for (const o of scale.operations) {
    for (const s of o.steps) {
      if (!s.postgraphile || !s.alternated) continue;
      rows.push([
        `**${o.name}**: ${o.title}`,
        String(s.connections),
        `${f0(s.api.rps)}${problems(s.api)}`,
        `${f0(s.postgraphile.rps)}${problems(s.postgraphile)}`,
        f2(ratio(s.api.rps, s.postgraphile.rps)),
        `${f0(s.lowerBound.rps)}${problems(s.lowerBound)}`,
        f2(ratio(s.api.rps, s.lowerBound.rps)),
        f2(ratio(s.postgraphile.rps, s.lowerBound.rps)),
        f2(s.api.latency.p99),
        f2(s.postgraphile.latency.p99),
        f2(s.lowerBound.latency.p99),
        `${s.alternated.api.map((r) => f0(r.rps)).join(', ')} / ${s.alternated.postgraphile.map((r) => f0(r.rps)).join(', ')}`,
        `${s.api.cpu.server.toFixed(2)} / ${s.api.cpu.postgres.toFixed(2)}`,
        `${s.postgraphile.cpu.server.toFixed(2)} / ${s.postgraphile.cpu.postgres.toFixed(2)}`,
        Math.max(s.api.cpu.foreign, s.postgraphile.cpu.foreign, s.lowerBound.cpu.foreign).toFixed(2),
      ]);
    }
  }
  if (!rows.length) return '';
  const memory = scale.operations
    .filter((o) => o.postgraphileRssPeakMb !== undefined)
    .map((o) => [o.name, f0(o.apiRssPeakMb), f0(o.postgraphileRssPeakMb!), f0(o.lowerBoundRssPeakMb)]);
  const pg = result.postgraphile;
  const same = scale.postgraphileEquivalence.map((e) => `${e.operation} ${e.calls} calls, ${e.papers} papers`).join('; ');
  return `## ${k(scale.papers)} papers: the API against PostGraphile

PostGraphile ${pg?.version ?? '?'} on Node ${pg?.node ?? '?'} (\`${pg?.command ?? ''}\`), ${pg?.preset ?? ''}, pool of 10, production defaults
(no GraphiQL, no explain, no watch); the API as \`${result.api.command}\`. Per step, the lower bound once, then the API and
PostGraphile alternated, A B A B, ${scale.stepSeconds} s each: the req/s below are the two runs together (requests over time),
p99 the mean of the two runs' p99; each run's req/s is in "runs". The documents: "The operations" below.

${table(
  ['query', 'conn', 'API req/s', 'PostGraphile req/s', 'API / PostGraphile', 'lower bound req/s', 'API / lower bound', 'PostGraphile / lower bound', 'API p99 ms', 'PostGraphile p99 ms', 'bound p99 ms', 'runs: API / PostGraphile req/s', 'API cores node / pg', 'PostGraphile cores node / pg', 'other load'],
  rows,
)}

Peak RSS under each operation's load, MB:

${table(['operation', 'API', 'PostGraphile', 'lower bound'], memory)}

Whole run: API ${f0(scale.memory.apiRssPeakUnderLoadMb)} MB (VmHWM ${f0(scale.memory.apiVmHwmMb)} MB), PostGraphile ${f0(scale.memory.postgraphileRssPeakUnderLoadMb ?? NaN)} MB (VmHWM ${f0(scale.memory.postgraphileVmHwmMb ?? NaN)} MB), lower bound ${f0(scale.memory.lowerBoundRssPeakUnderLoadMb)} MB.

Same papers (checked before loading; a difference stops the run): the API and PostGraphile listed the same papers in the
same order with the same titles, abstracts where asked, author names in byline order and topics (as sets: PostGraphile
orders a paper's topics by id, the API by name): ${same || '–'}.${scale.restarts.postgraphile.length ? `\n\nPostGraphile ended during the run and was started again: ${scale.restarts.postgraphile.map((r) => `${r.at} (${r.exit})`).join(', ')}.` : ''}`;
}

/** The API from dist/ against the API through tsx, alternated. */
function runtimes(scale: ScaleResult): string {
  if (!scale.runtimes.length) return '';
  const rows = scale.runtimes.map((r) => [
    `**${r.operation}**`,
    String(r.connections),
    f0(r.dist.rps),
    f0(r.tsx.rps),
    f2(ratio(r.dist.rps, r.tsx.rps)),
    f2(r.dist.latency.p99),
    f2(r.tsx.latency.p99),
    `${r.runs.dist.map((m) => f0(m.rps)).join(', ')} / ${r.runs.tsx.map((m) => f0(m.rps)).join(', ')}`,
    `${f0(r.distRssPeakMb)} / ${f0(r.tsxRssPeakMb)}`,
    Math.max(r.dist.cpu.foreign, r.tsx.cpu.foreign).toFixed(2),
  ]);
  return `## ${k(scale.papers)} papers: the API compiled (dist/) against the API through tsx

\`node --max-semi-space-size=16 --heap-growing-percent=50 dist/main.js\` (after \`npm run build\`) against \`node --max-semi-space-size=16 --heap-growing-percent=50 --import tsx src/main.ts\`
(the same flag on both: only the loader differs), two processes alive at once, loaded in turn: dist, tsx, dist, tsx,
${scale.stepSeconds} s each.

${table(['operation', 'conn', 'dist req/s', 'tsx req/s', 'dist / tsx', 'dist p99 ms', 'tsx p99 ms', 'runs: dist / tsx req/s', 'RSS peak dist / tsx MB', 'other load'], rows)}`;
}

function profiles(result: BenchResult): string {
  if (result.profiles.length === 0) return 'Every goal was met at 16 connections, or profiling was skipped (`--no-profile`): no profile taken.';
  return result.profiles
    .map((p) => {
      const s = p.summary;
      return `### ${p.operation} (${k(p.papers)} papers, 16 connections, ${f0(p.load.rps)} req/s while profiled)

${s.busyMs} ms of CPU on the API's main thread out of ${s.totalMs} ms (${f2(s.busyMs / Math.max(1, p.load.requests))} ms per request).

By layer (self time; Node internals and native code charged to the library that called them):

${table(['layer', 'ms', 'share of busy'], s.layers.slice(0, 8).map((c) => [c.name, f0(c.selfMs), `${c.percent} %`]))}

Time with the package on the stack (inclusive):

${table(['package', 'ms', 'share of busy'], s.inclusive.slice(0, 10).map((c) => [c.name, f0(c.selfMs), `${c.percent} %`]))}

Self time by function:

${table(['function', 'ms', 'share of busy'], s.functions.slice(0, 12).map((c) => [`\`${c.name}\``, f0(c.selfMs), `${c.percent} %`]))}`;
    })
    .join('\n\n');
}

export function writeReport(result: BenchResult): string {
  const largest = result.scales.at(-1)!;
  const m = result.machine;
  const sections: string[] = [];
  sections.push(`# Benchmark, ${result.mode} run, ${result.startedAt.slice(0, 10)}

Reproduce: \`${result.command}\` (PostgreSQL at \`BENCH_ADMIN_URL\`, default \`postgresql://postgres@127.0.0.1:5432/postgres\`).
Raw numbers: the JSON file beside this one. How it works: [bench/README.md](../README.md).

| machine | |
| --- | --- |
| code | commit ${m.commit}; uncommitted changes in src/, prisma/, schema.graphql, package.json: ${m.uncommitted} |
| CPU | ${m.nproc} × ${m.cpu} |
| memory | ${m.memoryGiB} GiB |
| OS | ${m.os} |
| Node.js | ${m.node} |
| PostgreSQL | ${m.postgres} |
| PostgreSQL settings | ${m.postgresSettings} |
| load generator | autocannon ${m.autocannon}, in the orchestrating process, same machine |

API process: \`${result.api.command}\` on Node ${result.api.node ?? result.machine.node}${result.api.runtime === 'dist' ? ' (after `npm run build`)' : ''}; environment: ${Object.entries(result.apiEnv).map(([name, value]) => `\`${name}=${value}\``).join(', ')}.
Everything (Postgres, the API or the lower bound, the load generator) shares the ${m.nproc} cores;
one server is loaded at a time. Wall time of the run: ${f0(result.wallSeconds / 60)} min.`);

  for (const scale of [...result.scales].reverse()) {
    const section = postgraphile(result, scale);
    if (section) sections.push(section);
    const rt = runtimes(scale);
    if (rt) sections.push(rt);
  }

  sections.push(`## Goals (${k(largest.papers)} papers)\n\n${goals(largest)}`);

  for (const scale of [...result.scales].reverse()) {
    const cat = scale.catalog;
    const c = cat.marker.counts;
    sections.push(`## ${k(scale.papers)} papers: throughput and latency

Catalog \`${scale.database}\`: ${c.papers} papers, ${c.authors} authors, ${c.topics} topics, ${c.users} users, ${c.votes} votes
(demo generator, seed ${cat.marker.seed}, as of ${cat.marker.today}; ${cat.reused ? 'reused' : `generated in ${f0(cat.marker.generateMs / 1000)} s + VACUUM ANALYZE ${f0(cat.marker.analyzeMs / 1000)} s`}).
Each step: ${scale.stepSeconds} s (at most 250,000 requests), after a warm-up at 16 connections; the lower bound first, then the API.
Deep page: page ${scale.inputs.deepPage.page} (rows ${scale.inputs.deepPage.firstRow}-${scale.inputs.deepPage.firstRow + 49}).
Daily dates: ${scale.inputs.dailyDates.join(', ')}, viewers among ${scale.inputs.tokens} users with tokens.

${results(scale)}

Memory (RSS peak while under load): API ${f0(scale.memory.apiRssPeakUnderLoadMb)} MB (VmHWM ${f0(scale.memory.apiVmHwmMb)} MB),
lower bound ${f0(scale.memory.lowerBoundRssPeakUnderLoadMb)} MB (VmHWM ${f0(scale.memory.lowerBoundVmHwmMb)} MB).
Per operation, API: ${scale.operations.map((o) => `${o.name} ${o.apiRssPeakMb} MB`).join(', ')}.

${scale.restarts.api.length + scale.restarts.lowerBound.length ? `Servers that ended during the run (stopped by something else on the machine) and were started again, the step repeated: ${[...scale.restarts.api.map((r) => `API at ${r.at} (${r.exit})`), ...scale.restarts.lowerBound.map((r) => `lower bound at ${r.at} (${r.exit})`)].join(', ')}.

` : ''}Same answers: ${scale.equivalence.every((e) => e.difference === null) ? `the API and the lower bound returned the same \`data\` for every checked call (${scale.equivalence.map((e) => `${e.operation} ${e.calls}`).join(', ')}).` : scale.equivalence.filter((e) => e.difference).map((e) => `**${e.operation} differs**: ${e.difference}`).join('; ')}`);
  }

  sections.push(`## SQL statements per operation (${k(largest.papers)} papers)

Counted in process: \`createServer\` + \`createContext\`/\`contextFromRequest\` over \`createDb({ onQuery })\`, each operation run twice and the second run counted.

${statements(largest)}`);

  if (result.scales.length > 1) {
    sections.push(`## Latency from ${k(result.scales[0]!.papers)} to ${k(largest.papers)} papers (API)

Keyset pages, the daily page and the paper page should not grow with the catalog.
The deep page is page ${result.scales[0]!.inputs.deepPage.page} at ${k(result.scales[0]!.papers)} and page ${largest.inputs.deepPage.page} at ${k(largest.papers)}.

${scaling(result.scales[0]!, largest)}`);
  }

  sections.push(`## CPU profile of the API where a goal was missed

\`node --cpu-prof\` on the API process, under that operation's load alone; summarised by bench/profile.ts.

${profiles(result)}`);

  sections.push(`## The operations

Each is sent exactly as below (POST /graphql, JSON \`{ query, variables }\`); the lower bound answers the same variables at POST /<operation>.

${Object.values(OPERATIONS)
  .map(
    (o) =>
      `<details><summary>${o.name}: ${o.title}</summary>\n\n\`\`\`graphql\n${o.document}\n\`\`\`\n${o.postgraphile ? `\nPostGraphile:\n\n\`\`\`graphql\n${o.postgraphile}\n\`\`\`\n` : ''}</details>`,
  )
  .join('\n')}`);

  return `${sections.join('\n\n')}\n`;
}
