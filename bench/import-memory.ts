// `npm run bench:import-memory -- [--sizes 20000,100000] [--report bench/results/<file>.md]`
//
// Peak memory and speed of importing one big Hugging Face daily-papers file. The file is made
// from the real entries in ../shared/data/hf-daily-papers, repeated with fresh arXiv ids (and a
// numbered title, so no two papers are the same), then imported by the real CLI
// (`src/cli/import.ts`, with the environment and Node flags of `npm run import` in package.json,
// or none with --bare) into a scratch database on DATABASE_URL's server, in a child process run
// under GNU time: "peak RSS" is that process's maximum resident set size, "papers/s" the papers
// over the child's whole wall time (start, migrations and import).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { projectRoot } from '../src/platform/paths.ts';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20000,100000' },
    report: { type: 'string' },
    label: { type: 'string', default: 'this tree' },
    /** Another checkout whose CLI to measure (e.g. the commit before a change); default this one. */
    root: { type: 'string' },
    /** Without the environment and Node flags of the `import` script. */
    bare: { type: 'boolean', default: false },
  },
});
const cliRoot = path.resolve(values.root ?? projectRoot);
// `npm run import` is "[VAR=value ...] tsx [--node-flag ...] src/cli/import.ts": the same here.
const script: string = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).scripts.import;
const shape = /^((?:\w+=\S+ )*)tsx ((?:--\S+ )*)src\/import\/cli\.ts$/.exec(script);
if (!shape) throw new Error(`package.json's import script is not "[VAR=value ...] tsx [--flag ...] src/cli/import.ts": ${script}`);
const scriptEnv = values.bare ? {} : Object.fromEntries(shape[1]!.trim().split(/\s+/).filter(Boolean).map((pair) => pair.split('=') as [string, string]));
const nodeFlags = values.bare ? [] : shape[2]!.trim().split(/\s+/).filter(Boolean);
const sizes = values.sizes!.split(',').map((s) => Number(s.trim()));
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('DATABASE_URL must name a PostgreSQL server (a scratch database is created on it and dropped after)');
  process.exit(2);
}
const hfDir = path.resolve(projectRoot, '../shared/data/hf-daily-papers');
if (!fs.existsSync(hfDir)) {
  console.error(`${hfDir} is missing: the bench builds its input from the real entries there`);
  process.exit(2);
}

type Entry = { paper: Record<string, unknown> } & Record<string, unknown>;
const real: Entry[] = fs
  .readdirSync(hfDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(hfDir, f), 'utf8')) as Entry[]);

/** The i-th fresh arXiv id: months 1501.. upwards, numbers 00001..99999 within each. */
function arxivId(i: number): string {
  const month = Math.floor(i / 99_999);
  const yymm = `${15 + Math.floor(month / 12)}${String((month % 12) + 1).padStart(2, '0')}`;
  return `${yymm}.${String((i % 99_999) + 1).padStart(5, '0')}`;
}

/** Writes an n-entry response as the API sends it (one JSON array), entry by entry. */
async function makeFile(n: number, file: string): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('[');
  for (let i = 0; i < n; i++) {
    const base = real[i % real.length]!;
    const id = arxivId(i);
    const entry = { ...base, paper: { ...base.paper, id, title: `${String(base.paper.title)} (${i})` }, title: `${String(base.title ?? base.paper.title)} (${i})` };
    await write(`${i === 0 ? '' : ','}\n${JSON.stringify(entry)}`);
  }
  await write('\n]\n');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const name = `import_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

interface Result {
  entries: number;
  fileMb: number;
  seconds: number;
  papersPerSecond: number;
  peakRssMb: number;
  papers: number;
  exitCode: number;
}

async function measure(n: number): Promise<Result> {
  const file = path.join(os.tmpdir(), `import-bench-${process.pid}-${n}`, '2026-11-30.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await makeFile(n, file);
  try {
    return await withDatabase(async (url) => {
      const args = ['-v', process.execPath, ...nodeFlags, '--import', 'tsx', path.join(cliRoot, 'src/cli/import.ts'), '--quiet', file];
      let stdout = '';
      let stderr = '';
      let exitCode = 0;
      try {
        ({ stdout, stderr } = await run('/usr/bin/time', args, { cwd: cliRoot, env: { ...process.env, ...scriptEnv, DATABASE_URL: url }, maxBuffer: 64 << 20 }));
      } catch (error) {
        const failed = error as { stdout: string; stderr: string; code: number };
        ({ stdout, stderr } = failed);
        exitCode = failed.code;
      }
      const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
      const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
      const created = Number(/papers:\s+(\d+) created/.exec(stdout)?.[1] ?? 0);
      if (exitCode !== 0) console.error(stdout, stderr.split('\n').slice(0, 20).join('\n'));
      return {
        entries: n,
        fileMb: fs.statSync(file).size / 1e6,
        seconds,
        papersPerSecond: created / seconds,
        peakRssMb: rssKb / 1024,
        papers: created,
        exitCode,
      };
    });
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (const n of sizes) {
  const result = await measure(n);
  results.push(result);
  console.log(
    `${n} entries (${result.fileMb.toFixed(0)} MB): ${result.papers} papers created in ${result.seconds.toFixed(1)} s ` +
      `= ${result.papersPerSecond.toFixed(0)} papers/s, peak RSS ${result.peakRssMb.toFixed(0)} MB, exit ${result.exitCode}`,
  );
}

const table = [
  `| entries | file | papers created | wall time | papers/s | peak RSS | exit |`,
  `|---:|---:|---:|---:|---:|---:|---:|`,
  ...results.map(
    (r) =>
      `| ${r.entries} | ${r.fileMb.toFixed(0)} MB | ${r.papers} | ${r.seconds.toFixed(1)} s | ${r.papersPerSecond.toFixed(0)} | ${r.peakRssMb.toFixed(0)} MB | ${r.exitCode} |`,
  ),
].join('\n');
const how = values.bare ? 'no flags' : `${[...Object.entries(scriptEnv).map(([k, v]) => `${k}=${v}`), ...nodeFlags].join(' ') || 'no flags'}`;
console.log(`\n${values.label} (Node ${process.version}, ${os.cpus().length} CPUs, ${how}):\n${table}`);
if (values.report) fs.appendFileSync(values.report, `\n### ${values.label}\n\nNode ${process.version}, ${os.cpus().length} CPUs, ${how}, ${new Date().toISOString()}\n\n${table}\n`);
