// The README's examples work: every ```graphql block of README.md runs, over HTTP, against the
// catalog a first start creates, and returns data without errors: every root field set,
// every list page and facet non-empty, no userErrors. As a newcomer would: the README's own
// `npm run user:create` line (which creates the embedded database), then `src/main.ts` on
// that embedded database, which fills the empty catalog; mutations run with the token the
// user:create line printed.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { projectRoot } from '../src/platform/paths.ts';

const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** The ```graphql blocks of a Markdown text, in order. */
function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```graphql[^\S\n]*\n([\s\S]*?)^```[^\S\n]*$/gm)].map((m) => m[1]!);
}

interface Example {
  block: number;
  name: string | undefined;
  kind: OperationDefinitionNode['operation'];
  document: string;
}

const examples: Example[] = graphqlBlocks(readme).flatMap((document, block) =>
  parse(document)
    .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((op) => ({ block, name: op.name?.value, kind: op.operation, document })),
);

/** What is empty or wrong in a result: paths of null root fields, empty pages or facets, and userErrors. */
function emptyParts(data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, at: string, inFacets: boolean): void => {
    if (Array.isArray(value)) {
      if (inFacets && value.length === 0) problems.push(`${at} is empty`);
      value.forEach((item, i) => visit(item, `${at}[${i}]`, inFacets));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const here = `${at}.${key}`;
      if ((key === 'nodes' || key === 'edges') && Array.isArray(child) && child.length === 0) problems.push(`${here} is empty`);
      if (key === 'totalCount' && child === 0) problems.push(`${here} is 0`);
      if (key === 'userErrors' && Array.isArray(child) && child.length > 0) problems.push(`${here}: ${JSON.stringify(child)}`);
      visit(child, here, inFacets || key === 'facets');
    }
  };
  for (const [field, value] of Object.entries(data)) {
    if (value === null || value === undefined) problems.push(`${field} is null`);
    else visit(value, field, false);
  }
  return problems;
}

/** The environment of the child processes: an embedded database in `dataDir`, as a newcomer's. */
function newcomerEnv(dataDir: string): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jest, DATABASE_URL: _server, ...inherited } = process.env;
  // LOG_FORMAT=json: the test reads the log line by line; a newcomer's terminal shows readable ones.
  return { ...inherited, DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'info', LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: '0' };
}

/** Starts `src/main.ts` as `npm start` does (without its generate step); resolves once it listens. */
function startMain(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started = child; // stopped in afterAll even when the start never completes
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.ts did not start:\n${output}`)), 300_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /GraphQL API at (http:\/\/[^/]+)\/graphql/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`main.ts exited with ${code} before listening:\n${output}`));
    });
  });
}

let dataDir: string;
let started: ChildProcess | undefined;
let main: Awaited<ReturnType<typeof startMain>>;
let token: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-readme-'));
  const env = newcomerEnv(dataDir);
  // The README's own line: `npm run user:create -- --handle ada --role admin`. It creates the
  // embedded database, with no papers yet: the start below still finds the catalog empty.
  const line = /npm run user:create -- (.+?)\s*(#.*)?$/m.exec(readme);
  if (!line) throw new Error('README.md has no `npm run user:create -- ...` line');
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'src/cli/users.ts', ...line[1]!.split(/\s+/)], { cwd: projectRoot, env });
  token = stdout.trim();
  main = await startMain(env);
}, 400_000);
afterAll(async () => {
  const child = started;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the README has its examples: queries and a mutation, each with something to show', () => {
  expect(examples.length).toBeGreaterThanOrEqual(6);
  expect(examples.filter((e) => e.kind === 'mutation').length).toBeGreaterThanOrEqual(1);
  expect(emptyParts({ a: { nodes: [] }, b: null, c: { facets: { topics: [] } }, d: { totalCount: 0, userErrors: [{ code: 'X' }] }, e: { nodes: [1] } })).toEqual([
    'a.nodes is empty',
    'b is null',
    'c.facets.topics is empty',
    'd.totalCount is 0',
    'd.userErrors: [{"code":"X"}]',
  ]);
  expect(token).toMatch(/^\S{20,}$/);
});

test('a first start fills the empty catalog with the sample of real papers', () => {
  const seeded = main.output().split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((l) => /filled with the sample/.test(l.msg));
  expect(seeded).toMatchObject({ papers: 441, users: 300, latestFeaturedDay: '2026-07-31' });
});

test.each(examples.map((e) => [`${e.kind} ${e.name ?? '(anonymous)'} of block ${e.block + 1}`, e] as const))('README example: %s', async (_title, example) => {
  const response = await fetch(`${main.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(example.kind === 'mutation' ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: example.document, ...(example.name ? { operationName: example.name } : {}) }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  expect(response.status).toBe(200);
  expect(body.data).toBeTruthy();
  expect(emptyParts(body.data!)).toEqual([]);
});

test('the first example shows the latest day of the sample, real papers first by upvotes', async () => {
  const daily = examples.find((e) => e.name === 'Daily')!;
  const response = await fetch(`${main.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: daily.document, operationName: 'Daily' }),
  });
  const body = (await response.json()) as { errors?: unknown; data: { dailyPapers: { date: string; previousDate: string; papers: { totalCount: number; nodes: { upvotes: number; title: string }[] } } } };
  expect(body.errors).toBeUndefined();
  const { data } = body;
  expect(data.dailyPapers).toMatchObject({ date: '2026-07-31', previousDate: '2026-07-30', papers: { totalCount: 34 } });
  const upvotes = data.dailyPapers.papers.nodes.map((n) => n.upvotes);
  expect(upvotes).toEqual([...upvotes].sort((a, b) => b - a));
  const sample = JSON.parse(fs.readFileSync(path.join(projectRoot, 'src/catalog/demo/sample/hf-daily-papers/2026-07-31.json'), 'utf8')) as { paper: { title: string } }[];
  const titles = new Set(sample.map((e) => e.paper.title.replace(/\s+/g, ' ').trim()));
  expect(data.dailyPapers.papers.nodes).toHaveLength(20);
  for (const node of data.dailyPapers.papers.nodes) expect(titles).toContain(node.title);
});
