// Two API instances against one, on this machine, with where the CPU went (bench/cpu.ts):
//   npx tsx bench/scale.ts [--papers 10000] [--seconds 20] [--connections 16] [--op dailyAnon] [--rounds 2]
// Both setups run with REDIS_URL (rate budget and events in Redis, as several instances must),
// the rate limit on with a budget too large to refuse anything (so every request pays its
// Redis round trips), on an existing bench catalog (`npm run bench` builds them; this script
// only reads it). One instance gets all connections; two get half each (two load generators in
// this process, as a balancer would split them). The rounds alternate 1, 2, 1, 2 so that a
// change in the machine's load touches both. Writes bench/results/<date>-scale.{json,md}.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withDatabase, databaseName } from './catalog.ts';
import { CpuMeter, type CpuShare } from './cpu.ts';
import { runLoad, type LoadResult } from './load.ts';
import { callMaker, loadInputs, toHttp, type OperationName } from './operations.ts';
import { apiServer, ROOT, startServer, type RunningServer } from './processes.ts';

const { values } = parseArgs({
  options: {
    papers: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    op: { type: 'string', default: 'dailyAnon' },
    rounds: { type: 'string', default: '2' },
  },
});
const papers = Number(values.papers);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const op = values.op as OperationName;
const rounds = Number(values.rounds);
const adminUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

const url = withDatabase(adminUrl, databaseName(papers));
const inputs = await loadInputs(url, []);
const prefix = `bench-scale-${process.pid}:`;
const logFile = path.join((await import('node:os')).tmpdir(), 'bench-scale-servers.log');

function redisTicks(): number {
  try {
    const pid = execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

interface Row {
  instances: number;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpu: CpuShare & { redis: number };
}

async function measure(instances: number, round: number): Promise<Row> {
  const servers: RunningServer[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      servers.push(
        await startServer({
          name: `api-${i}`,
          ...apiServer('tsx'),
          env: { DATABASE_URL: url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, NODE_ENV: 'production', LOG_LEVEL: 'warn', SEED_DEMO: 'false', RATE_LIMIT_POINTS: '1000000000' },
          logFile,
        }),
      );
    }
    // Warm up each instance (JIT, prepared statements), then measure.
    await Promise.all(servers.map((s, i) => load(s, Math.max(1, connections / instances), 3, 100 + i)));
    const meter = new CpuMeter(url, () => servers.map((s) => s.pid));
    const before = meter.snapshot();
    const redisBefore = redisTicks();
    const results = await Promise.all(servers.map((s, i) => load(s, connections / instances, seconds, round * 10 + i)));
    const after = meter.snapshot();
    const redis = Math.round(((redisTicks() - redisBefore) / 100 / seconds) * 100) / 100;
    const requests = results.reduce((n, r) => n + r.requests, 0);
    return {
      instances,
      round,
      rps: Math.round(results.reduce((n, r) => n + r.rps, 0)),
      // Latency percentiles: the request-weighted mean of each generator's (close enough for two halves).
      p50: Math.round(results.reduce((n, r) => n + r.latency.p50 * r.requests, 0) / requests * 100) / 100,
      p99: Math.round(results.reduce((n, r) => n + r.latency.p99 * r.requests, 0) / requests * 100) / 100,
      non2xx: results.reduce((n, r) => n + r.non2xx + r.graphqlErrors, 0),
      errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
      cpu: { ...CpuMeter.share(before, after), redis },
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function load(server: RunningServer, conns: number, durationS: number, seed: number): Promise<LoadResult> {
  const next = callMaker(op, inputs, seed);
  return runLoad({ url: server.url, connections: conns, durationS, maxRequests: 2_000_000, next: () => toHttp('api', op, next()) });
}

const cores = (await import('node:os')).cpus().length;
log(`${op}, ${connections} connections, ${seconds} s per step, ${papers} papers (${databaseName(papers)}), ${cores} cores, REDIS_URL ${redisUrl}`);
const rows: Row[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const instances of [1, 2]) {
    const row = await measure(instances, round);
    rows.push(row);
    log(JSON.stringify(row));
  }
}

const date = new Date().toISOString().slice(0, 10);
const fmt = (r: Row) =>
  `| ${r.instances} | ${r.round} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} | ${r.cpu.server} | ${r.cpu.postgres} | ${r.cpu.redis} | ${r.cpu.loadGenerator} | ${r.cpu.foreign} |`;
const mean = (instances: number) => Math.round(rows.filter((r) => r.instances === instances).reduce((n, r) => n + r.rps, 0) / rounds);
const table = [
  `| instances | round | req/s | p50 ms | p99 ms | failed | API cores | postgres cores | redis cores | load generator cores | other processes' cores |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(fmt),
].join('\n');
fs.writeFileSync(path.join(ROOT, `bench/results/${date}-scale.json`), JSON.stringify({ op, connections, seconds, papers, cores, rows }, null, 2));
console.log(`\n${table}\n\nmean req/s: one instance ${mean(1)}, two instances ${mean(2)} (x${(mean(2) / mean(1)).toFixed(2)})`);
