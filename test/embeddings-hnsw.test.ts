// The embedding path's HNSW index (src/platform/embeddings/hnsw.ts) on the embedded database,
// whose pgvector (@electric-sql/pglite-pgvector, 0.8) has iterative scans: built by the
// migrating process, used by the planner for related papers, "for you" and the HYBRID ranking,
// its scan settings holding for one statement only, and a list never shortened by what it
// filters out (hidden papers, a search filter), checked against exact search computed here.
import { generateDemoCatalog } from '../src/catalog/demo/generate.ts';
import { embeddingStatements, vectorText } from '../src/catalog/related/embeddings/reads.ts';
import { refreshEmbeddings } from '../src/catalog/related/embeddings/refresh.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { Prisma, type User } from '../src/generated/prisma/client.ts';
import { fromGlobalIdOf, toGlobalId } from '../src/platform/global-id.ts';
import { hashingEmbedder } from '../src/platform/embeddings/hashing.ts';
import { hasIterativeScans, hnswIndexName, HNSW_EF_SEARCH } from '../src/platform/embeddings/hnsw.ts';
import { enableEmbeddings, type EmbeddingPath, type EnableOptions } from '../src/platform/embeddings/path.ts';
import type { Embedder } from '../src/platform/embeddings/embedder.ts';
import { setupTestRunner } from './helpers/runner.ts';

/** Large enough for the planner to prefer the index, small enough for HNSW to find the exact top 10. */
const PAPERS = 1500;
const RELATED = `query($id: ID!, $n: Int) { paper(id: $id) { related(first: $n) { score paper { id } } } }`;
const HIDE = `mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`;

const embedder = hashingEmbedder();
const run = setupTestRunner({ database: { kind: 'embedded' }, reset: 'manual' });
const scenario = {} as { curator: User };
// The catalog, once for the file (a fresh database): 20-40 s alone, minutes on a loaded machine.
beforeAll(async () => {
  await generateDemoCatalog(run.db, { papers: PAPERS, seed: 7, users: 20, votes: 2 * PAPERS });
  await refreshEmbeddings(run.db, embedder, { batchSize: 500 });
  scenario.curator = await run.db.user.create({ data: { handle: 'hnsw-curator', displayName: 'Curator', role: 'CURATOR' } });
}, 600_000);

function setPath(path: EmbeddingPath | null): void {
  run.t.platform = { ...run.t.platform, embeddings: path };
}
async function enable(e: Embedder, options?: EnableOptions) {
  const { path, status } = await enableEmbeddings(run.db, e, options);
  setPath(path);
  return status;
}

/** Every vector of the model with whether its paper is listed: the truth is computed here, not in SQL. */
async function vectors(): Promise<Map<number, { v: number[]; listed: boolean }>> {
  const rows = await run.db.$queryRaw<{ id: number; embedding: number[]; listed: boolean }[]>`
    SELECT e."paperId" AS id, e.embedding, p."hiddenAt" IS NULL AS listed
    FROM "PaperEmbedding" e JOIN "Paper" p ON p.id = e."paperId" WHERE e.model = ${embedder.model}`;
  return new Map(rows.map((r) => [r.id, { v: r.embedding, listed: r.listed }]));
}
const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};
/** The exact top n: listed papers other than the source, with something in common, nearest first. */
function exactTop(all: Map<number, { v: number[]; listed: boolean }>, source: number, n: number): { id: number; score: number }[] {
  const q = all.get(source)!.v;
  const scored: { id: number; score: number }[] = [];
  for (const [id, { v, listed }] of all) {
    if (id === source || !listed) continue;
    const score = cosine(q, v);
    if (score > 0) scored.push({ id, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, n);
}

const gid = (id: number) => toGlobalId('Paper', id);
const related = async (id: number, n = 10): Promise<{ id: number; score: number }[]> =>
  ((await run.server.as(scenario.curator).data(RELATED, { id: gid(id), n })).paper.related as { score: number; paper: { id: string } }[]).map((r) => ({
    id: fromGlobalIdOf('Paper', r.paper.id),
    score: r.score,
  }));

async function explain(text: string, values: unknown[]): Promise<string[]> {
  const rows = await run.db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, BUFFERS OFF) ${text}`, ...values);
  return rows.map((r) => r['QUERY PLAN']);
}
const INDEX = `Index Scan using "${hnswIndexName(embedder)}"`;
/** Rows the HNSW index scan returned (the first one in the plan). */
const indexRows = (plan: string[]) => Number(plan.find((line) => line.includes(INDEX))?.match(/rows=([\d.]+)/)?.[1] ?? NaN);
/** Whether the exact step (under its one-time filter `count(*) < n`) ran. */
const exactRan = (plan: string[]) => {
  const gate = plan.findIndex((line) => /One-Time Filter: .* < \d+\)$/.test(line));
  if (gate < 0) throw new Error(`no exact step in the plan:\n${plan.join('\n')}`);
  return !plan[gate + 1]!.includes('never executed');
};

afterEach(() => setPath(null));

test('iterative scans are asked of pgvector 0.8 and later only (earlier ones refuse the settings)', () => {
  expect(['0.5.1', '0.7.4', '0.8.0', '0.8.7', '0.10.0', '1.0.0'].map(hasIterativeScans)).toEqual([false, false, true, true, true, true]);
  expect(embeddingStatements(embedder, { iterativeScans: false }).related.text).not.toContain('iterative_scan');
  expect(embeddingStatements(embedder).related.text).toContain(`set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
});

test('the migrating process builds the model\'s HNSW index; a process that does not migrate finds it', async () => {
  expect(await enable(embedder, { install: false })).toMatchObject({ state: 'off', reason: 'pgvector not installed' });
  // Installed, but no index yet: a serving process scans exactly until the migrating one built it.
  await run.db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS vector');
  expect(await enable(embedder, { install: false })).toMatchObject({ state: 'on', index: 'exact', indexDetail: expect.stringContaining('the migrating process builds it') });
  expect(await enable(embedder)).toMatchObject({ state: 'on', index: 'hnsw', indexDetail: expect.stringMatching(/^built in \d+ ms$/) });
  expect(await enable(embedder)).toEqual(expect.objectContaining({ index: 'hnsw' }));
  expect(await enable(embedder)).not.toHaveProperty('indexDetail');
  expect(await enable(embedder, { install: false })).toMatchObject({ index: 'hnsw' });
  const [index] = await run.db.$queryRaw<{ definition: string }[]>`SELECT indexdef AS definition FROM pg_indexes WHERE indexname = ${hnswIndexName(embedder)}`;
  expect(index!.definition).toBe(
    `CREATE INDEX "${hnswIndexName(embedder)}" ON public."PaperEmbedding" USING hnsw (((embedding)::vector(512)) vector_cosine_ops) WHERE ((model = '${embedder.model}'::text) AND (dimensions = 512))`,
  );
  // A model wider than pgvector indexes: no index, exact scans, said so.
  expect(await enable(hashingEmbedder(3000))).toMatchObject({ state: 'on', index: 'exact', indexDetail: '3000 dimensions: pgvector indexes at most 2000' });
  // Another model gets an index of its own; pruning the other models' vectors drops it too.
  const small = hashingEmbedder(64);
  expect(await enable(small)).toMatchObject({ state: 'on', index: 'hnsw' });
  expect(await refreshEmbeddings(run.db, embedder, { prune: true })).toMatchObject({ embedded: 0, prunedIndexes: [hnswIndexName(small)] });
  const left = await run.db.$queryRaw<{ name: string }[]>`SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'PaperEmbedding%hnsw%'`;
  expect(left.map((r) => r.name)).toEqual([hnswIndexName(embedder)]);
}, 120_000);

test('related, "for you" and the HYBRID ranking scan the index, with settings that hold for the statement only', async () => {
  await enable(embedder);
  const statements = embeddingStatements(embedder);
  const [source] = await run.db.$queryRaw<{ id: number }[]>`SELECT min("paperId") AS id FROM "PaperEmbedding"`;
  const relatedPlan = await explain(statements.related.text, [[source!.id], 10]);
  expect(relatedPlan.join('\n')).toContain(INDEX);
  expect(exactRan(relatedPlan)).toBe(false);

  const [voter] = await run.db.$queryRaw<{ id: number }[]>`SELECT "userId" AS id FROM "Vote" GROUP BY "userId" ORDER BY count(*) DESC, "userId" LIMIT 1`;
  const recommendedPlan = await explain(statements.recommended.text, [voter!.id, 20]);
  expect(recommendedPlan.join('\n')).toContain(INDEX);
  expect(exactRan(recommendedPlan)).toBe(false);

  const [q] = await run.db.$queryRaw<{ embedding: number[] }[]>`SELECT embedding FROM "PaperEmbedding" WHERE "paperId" = ${source!.id}`;
  const ranking = Prisma.sql`SELECT * FROM ${statements.ranking(Prisma.sql`p."hiddenAt" IS NULL`, Float32Array.from(q!.embedding), 200)} r`;
  const rankingPlan = await explain(ranking.text, ranking.values);
  expect(rankingPlan.join('\n')).toContain(INDEX);
  expect(exactRan(rankingPlan)).toBe(false);
  expect(vectorText(Float32Array.of(0.5, NaN))).toBe('[0.5,0]');

  // set_config(..., true) inside the statement: gone when it ends, on the same (only) connection.
  expect(await related(source!.id)).toHaveLength(10);
  const [after] = await run.db.$queryRaw<{ scan: string; ef: string }[]>`SELECT current_setting('hnsw.iterative_scan') AS scan, current_setting('hnsw.ef_search') AS ef`;
  expect(after).toEqual({ scan: 'off', ef: '40' });
}, 120_000);

test('on a catalog this small, related lists equal exact search', async () => {
  await enable(embedder);
  const all = await vectors();
  const sample = [...all.keys()].filter((_, i) => i % 75 === 0);
  expect(sample.length).toBeGreaterThanOrEqual(20);
  for (const id of sample) {
    const got = await related(id);
    const want = exactTop(all, id, 10);
    expect(got.map((r) => r.id).sort()).toEqual(want.map((r) => r.id).sort());
    got.forEach((r, i) => expect(r.score).toBeCloseTo(want[i]!.score, 4));
  }
}, 120_000);

test('hidden papers never appear and never shorten a list, however many of the nearest they are', async () => {
  await enable(embedder);
  const { curator } = scenario;
  let all = await vectors();
  const [source] = [...all.keys()].filter((_, i) => i === 300);
  // More than ef_search of its nearest: a plain HNSW scan would find none listed.
  const hidden = exactTop(all, source!, HNSW_EF_SEARCH + 20).map((r) => r.id);
  for (const id of hidden) await run.server.as(curator).data(HIDE, { id: gid(id) });
  all = await vectors();
  expect(hidden.every((id) => !all.get(id)!.listed)).toBe(true);

  const got = await related(source!);
  expect(got).toHaveLength(10);
  expect(got.filter((r) => hidden.includes(r.id))).toEqual([]);
  expect(got.map((r) => r.id).sort()).toEqual(exactTop(all, source!, 10).map((r) => r.id).sort());
  // Found by the iterative scan going on past ef_search, not by the exact step.
  const plan = await explain(embeddingStatements(embedder).related.text, [[source!], 10]);
  expect(indexRows(plan)).toBeGreaterThan(HNSW_EF_SEARCH);
  expect(exactRan(plan)).toBe(false);

  // A pgvector without iterative scans (before 0.8): the scan stops at ef_search, all hidden, and
  // the exact step makes the same list.
  const plain = embeddingStatements(embedder, { iterativeScans: false }).related;
  const plainPlan = await explain(plain.text, [[source!], 10]);
  expect(indexRows(plainPlan)).toBeLessThanOrEqual(HNSW_EF_SEARCH);
  expect(exactRan(plainPlan)).toBe(true);
  const plainRows = await run.db.$queryRawUnsafe<{ id: number }[]>(plain.text, [source!], 10);
  expect(plainRows.map((r) => r.id).sort()).toEqual(exactTop(all, source!, 10).map((r) => r.id).sort());

  // "For you" and HYBRID of the same neighbourhood: none of the hidden, lists as long as exact.
  const q = Float32Array.from(all.get(source!)!.v);
  const ranking = Prisma.sql`SELECT id FROM ${embeddingStatements(embedder).ranking(Prisma.sql`p."hiddenAt" IS NULL`, q, 200)} r ORDER BY rank`;
  const ranked = (await run.db.$queryRawUnsafe<{ id: number }[]>(ranking.text, ...ranking.values)).map((r) => r.id);
  const wantRanked = [source!, ...exactTop(all, source!, 199).map((r) => r.id)];
  expect(ranked.filter((id) => hidden.includes(id))).toEqual([]);
  expect(ranked).toHaveLength(wantRanked.length);
  expect(ranked.filter((id) => wantRanked.includes(id)).length / wantRanked.length).toBeGreaterThanOrEqual(0.95);
}, 180_000);

test('a filter that leaves fewer papers than asked gets them all, from the exact step', async () => {
  await enable(embedder);
  const all = await vectors();
  const [source, ...rest] = [...all.keys()].filter((id) => all.get(id)!.listed);
  // One topic's papers only, as a HYBRID search filtered by topic asks: a handful.
  const [topic] = await run.db.$queryRaw<{ id: number }[]>`
    SELECT "topicId" AS id FROM "PaperTopic" pt JOIN "Paper" p ON p.id = pt."paperId" WHERE p."hiddenAt" IS NULL
    GROUP BY "topicId" HAVING count(*) BETWEEN 3 AND 20 ORDER BY "topicId" LIMIT 1`;
  const inTopic = (await run.db.$queryRaw<{ id: number }[]>`SELECT "paperId" AS id FROM "PaperTopic" WHERE "topicId" = ${topic!.id}`).map((r) => r.id);
  const where = Prisma.sql`p."hiddenAt" IS NULL AND EXISTS (SELECT 1 FROM "PaperTopic" pt WHERE pt."paperId" = p.id AND pt."topicId" = ${topic!.id}::int)`;
  const q = Float32Array.from(all.get(source!)!.v);
  const ranking = Prisma.sql`SELECT id FROM ${embeddingStatements(embedder).ranking(where, q, 200)} r ORDER BY rank`;
  const ranked = (await run.db.$queryRawUnsafe<{ id: number }[]>(ranking.text, ...ranking.values)).map((r) => r.id);
  const want = inTopic.filter((id) => all.get(id)?.listed && cosine(all.get(id)!.v, all.get(source!)!.v) > 0);
  expect(ranked.sort()).toEqual(want.sort());

  // Related of a paper when all but three others are hidden: those three, found by the exact step.
  const keep = rest.slice(0, 3);
  await run.db.$executeRaw`UPDATE "Paper" SET "hiddenAt" = now() WHERE id <> ALL(${[source!, ...keep]}::int[]) AND "hiddenAt" IS NULL`;
  try {
    const got = await related(source!);
    const wantKept = exactTop(await vectors(), source!, 10);
    expect(got.map((r) => r.id).sort()).toEqual(wantKept.map((r) => r.id).sort());
    expect(exactRan(await explain(embeddingStatements(embedder).related.text, [[source!], 10]))).toBe(true);
  } finally {
    await run.db.$executeRaw`UPDATE "Paper" SET "hiddenAt" = NULL WHERE id <> ALL(${[source!, ...keep]}::int[])`;
  }
}, 180_000);

test('with the path off, related papers come from the terms and still leave hidden papers out', async () => {
  await rebuildRelated(run.db);
  setPath(null);
  const all = await vectors();
  const [source] = [...all.keys()].filter((id) => all.get(id)!.listed);
  const got = await related(source!);
  expect(got).toHaveLength(10);
  expect(got.every((r) => all.get(r.id)!.listed)).toBe(true);
  // The term scores are not the vectors' cosines: this list did not come from the embeddings.
  expect(got.some((r) => Math.abs(r.score - cosine(all.get(source!)!.v, all.get(r.id)!.v)) > 1e-3)).toBe(true);
}, 120_000);
