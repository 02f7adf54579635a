// The embedding path of related papers (src/catalog/related/embeddings/): pgvector detected and
// installed where the server offers it (the embedded database, through
// @electric-sql/pglite-pgvector) and cleanly off where it does not (the PostgreSQL 15 of CI);
// vectors that record their model, dimension and content hash and are not recomputed when
// unchanged; related papers, HYBRID search and "for you" answered from the vectors, falling
// back to term weights paper by paper; and hidden papers never coming out of any of them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toGlobalId } from '../src/platform/global-id.ts';
import { contentHash, paperText } from '../src/platform/embeddings/embedder.ts';
import { hashingEmbedder, hashText, HASHING_DIMENSIONS, HASHING_MODEL } from '../src/platform/embeddings/hashing.ts';
import { loadEmbedder } from '../src/platform/embeddings/load.ts';
import { detectPgvector, enableEmbeddings, type EmbeddingPath, type EnableOptions } from '../src/platform/embeddings/path.ts';
import type { Embedder } from '../src/platform/embeddings/embedder.ts';
import { refreshEmbeddings } from '../src/catalog/related/embeddings/refresh.ts';
import { EmbedderLoadError, TRANSFORMERS_INSTALL } from '../src/platform/embeddings/transformers.ts';
import { rebuildRelated } from '../src/catalog/related/rebuild.ts';
import { relatedPapers } from '../src/catalog/related/reads.ts';
import { labelShare, randomLabelShare, relatednessLabels } from '../src/catalog/related/evaluation.ts';
import { importFiles } from '../src/catalog/import/importer.ts';
import { loadConfig } from '../src/config.ts';
import type { User } from '../src/generated/prisma/client.ts';
import { usingRealPostgres } from './helpers/database.ts';
import { dataDir, describeWithRealData } from './helpers/real-data.ts';
import { setupTestRunner, type TestRunner } from './helpers/runner.ts';
import { THEMED, themedCatalog, type ThemedKey } from './helpers/scenarios.ts';

// The embedding path is part of the platform object, decided at start-up (src/platform/db/open.ts);
// here a test turns it on or off for the runner's platform, which the server's contexts read.
type Run = { readonly db: import('../src/platform/db/client.ts').Db; readonly t: { platform: import('../src/platform/platform.ts').Platform } };
function setPath(run: Run, path: EmbeddingPath | null): void {
  run.t.platform = { ...run.t.platform, embeddings: path };
}
async function enable(run: Run, embedder: Embedder | null, options?: EnableOptions) {
  const { path, status } = await enableEmbeddings(run.db, embedder, options);
  setPath(run, path);
  return status;
}

const RELATED = `query($id: ID!, $n: Int) { paper(id: $id) { related(first: $n) { score paper { id } } } }`;
const RECOMMENDED = `query($n: Int) { viewer { recommendedPapers(first: $n) { score paper { id } } } }`;
const SEARCH = `query($q: String!) { papers(query: $q, searchMode: HYBRID, first: 50) { totalCount edges { node { id } highlight { abstract } } } }`;
const HIDE = `mutation($id: ID!) { hidePaper(paperId: $id) { userErrors { code } } }`;
const UPVOTE = `mutation($id: ID!) { upvotePaper(paperId: $id) { userErrors { code } } }`;

type Scenario = Awaited<ReturnType<typeof themedCatalog>>;
type Scored = { score: number; paper: { id: string } };

/** What the tests of a runner on the themed catalog read and ask. */
function helpers(run: TestRunner<Scenario>) {
  const gid = (key: ThemedKey) => toGlobalId('Paper', run.scenario.ids[key]);
  const keyOf = (id: string) => THEMED.find((spec) => gid(spec.key) === id)?.key ?? id;
  return {
    gid,
    keyOf,
    related: async (key: ThemedKey, n = 10, as: User | null = null): Promise<Scored[]> => (await run.server.as(as).data(RELATED, { id: gid(key), n })).paper.related,
    relatedKeys: async (key: ThemedKey, n = 10, as: User | null = null) =>
      ((await run.server.as(as).data(RELATED, { id: gid(key), n })).paper.related as Scored[]).map((r) => keyOf(r.paper.id)),
    recommended: async (as: User, n = 10): Promise<Scored[]> => (await run.server.as(as).data(RECOMMENDED, { n })).viewer.recommendedPapers,
    hybrid: async (q: string, as: User | null = null) => {
      const { papers } = await run.server.as(as).data(SEARCH, { q });
      return { total: papers.totalCount as number, keys: (papers.edges as { node: { id: string } }[]).map((e) => keyOf(e.node.id)) };
    },
  };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const vectorOf = (key: ThemedKey) => {
  const spec = THEMED.find((s) => s.key === key)!;
  return hashText(paperText(spec), HASHING_DIMENSIONS);
};

describe('the built-in hashing embedder', () => {
  test('is deterministic, L2-normalised, and puts texts on one subject closer than texts on two', async () => {
    const embedder = hashingEmbedder();
    expect(embedder.model).toBe(HASHING_MODEL);
    expect(embedder.dimensions).toBe(512);
    const [a, b] = await embedder.embed([paperText(THEMED[0]), paperText(THEMED[0])]);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(dot(a!, a!)).toBeCloseTo(1, 5);
    expect(dot(vectorOf('diff1'), vectorOf('diff2'))).toBeGreaterThan(dot(vectorOf('diff1'), vectorOf('robot1')) + 0.1);
    expect(dot(vectorOf('robot1'), vectorOf('robot2'))).toBeGreaterThan(dot(vectorOf('robot1'), vectorOf('llm1')) + 0.1);
    // Only stop words: no features, a zero vector (which the queries never match).
    expect(Array.from((await embedder.embed(['We propose the']))[0]!).every((x) => x === 0)).toBe(true);
  });

  test('a model folder needs the optional transformers.js package, and says how to get it', async () => {
    const config = loadConfig({ NODE_ENV: 'test', EMBEDDINGS_MODEL_DIR: 'test/fixtures' });
    expect(config.embeddings).toEqual({ embedder: 'model', modelDir: 'test/fixtures', refreshSeconds: 900 });
    // No config.json there: refused before anything is imported.
    await expect(loadEmbedder(config.embeddings)).rejects.toThrow(EmbedderLoadError);
    await expect(loadEmbedder(config.embeddings)).rejects.toThrow(/is not a transformers\.js model folder: it has no config\.json/);
    // A model folder, but the package is not installed (it is not a dependency): what to run.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
    try {
      fs.writeFileSync(path.join(folder, 'config.json'), '{"hidden_size": 384}');
      await expect(loadEmbedder({ embedder: 'model', modelDir: folder, refreshSeconds: 0 })).rejects.toThrow(
        `EMBEDDINGS_MODEL_DIR is set but @huggingface/transformers is not installed (it is an optional add-on, not a dependency): run \`${TRANSFORMERS_INSTALL}\``,
      );
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    expect(() => loadConfig({ EMBEDDINGS: 'model' })).toThrow('EMBEDDINGS=model needs EMBEDDINGS_MODEL_DIR');
    expect(() => loadConfig({ EMBEDDINGS: 'hashing', EMBEDDINGS_MODEL_DIR: '/models/x' })).toThrow('EMBEDDINGS_MODEL_DIR is set but EMBEDDINGS=hashing');
    expect(loadConfig({}).embeddings).toEqual({ embedder: 'off', refreshSeconds: 900 });
    expect(() => loadConfig({ EMBEDDINGS_REFRESH_SECONDS: '-1' })).toThrow('EMBEDDINGS_REFRESH_SECONDS must be a whole number from 0 to 604800');
  });
});

(usingRealPostgres ? describe : describe.skip)('on PostgreSQL without pgvector (DATABASE_URL)', () => {
  const run = setupTestRunner({ scenario: themedCatalog });
  const h = helpers(run);
  afterEach(() => setPath(run, null));

  test('the path reports pgvector unavailable and related papers come from term weights', async () => {
    const pgvector = await detectPgvector(run.db);
    if (pgvector.available !== null) {
      console.warn(`test/embeddings.test.ts: the DATABASE_URL server offers pgvector ${pgvector.available}; the "unavailable" case is not checked there`);
      return;
    }
    await rebuildRelated(run.db);
    const before = await h.related('diff1');
    expect(await enable(run, hashingEmbedder())).toEqual({ state: 'off', reason: 'pgvector unavailable', detail: expect.stringContaining('no "vector" extension') });
    expect(run.platform.embeddings).toBeNull();
    // Vectors can be stored all the same (plain real[]), and change nothing.
    expect((await refreshEmbeddings(run.db, hashingEmbedder())).embedded).toBe(THEMED.length);
    expect(await h.related('diff1')).toEqual(before);
    expect((await h.hybrid('diffusion robot')).total).toBe(5);
  });
});

describe('on the embedded database (pgvector from @electric-sql/pglite-pgvector)', () => {
  const run = setupTestRunner({ database: { kind: 'embedded' }, scenario: themedCatalog });
  const h = helpers(run);
  afterEach(() => setPath(run, null));

  /** The catalog embedded, its term vectors rebuilt, and the path on. */
  const embedAll = async () => {
    await rebuildRelated(run.db);
    const embedder = hashingEmbedder();
    await refreshEmbeddings(run.db, embedder);
    expect((await enable(run, embedder)).state).toBe('on');
    return embedder;
  };

  test('pgvector is offered, installed when the path is turned on, and reported', async () => {
    // The reset keeps extensions; on a fresh database it is not installed yet.
    await run.db.$executeRawUnsafe('DROP EXTENSION IF EXISTS vector');
    expect(await detectPgvector(run.db)).toEqual({ available: expect.stringMatching(/^0\.\d+\.\d+$/), installed: null });
    expect(await enable(run, null)).toMatchObject({ state: 'off', reason: 'not configured' });
    expect(await enable(run, hashingEmbedder(), { install: false })).toMatchObject({ state: 'off', reason: 'pgvector not installed' });
    expect(run.platform.embeddings).toBeNull();
    const status = await enable(run, hashingEmbedder());
    expect(status).toEqual({ state: 'on', model: HASHING_MODEL, dimensions: 512, pgvector: expect.stringMatching(/^0\.\d+\.\d+$/), index: 'hnsw', indexDetail: expect.stringMatching(/^built in \d+ ms$/) });
    expect((await detectPgvector(run.db)).installed).not.toBeNull();
    expect(run.platform.embeddings?.embedder.model).toBe(HASHING_MODEL);
  });

  test('vectors record model, dimension and content hash, and unchanged papers are not embedded again', async () => {
    const embedder = hashingEmbedder();
    const first = await refreshEmbeddings(run.db, embedder, { batchSize: 4 });
    expect(first).toMatchObject({ model: HASHING_MODEL, dimensions: 512, papers: THEMED.length, embedded: THEMED.length, unchanged: 0, pruned: 0 });
    const row = await run.db.paperEmbedding.findUniqueOrThrow({ where: { paperId_model: { paperId: run.scenario.ids.diff1, model: HASHING_MODEL } } });
    expect(row.dimensions).toBe(512);
    expect(row.embedding).toHaveLength(512);
    expect(row.contentHash).toBe(contentHash(paperText(THEMED[0])));
    expect(row.embedding[0]).toBeCloseTo(vectorOf('diff1')[0]!, 6);

    const again = await refreshEmbeddings(run.db, embedder, { batchSize: 4 });
    expect(again).toMatchObject({ embedded: 0, unchanged: THEMED.length });

    // An edited title: that paper only. (Staleness is decided by a hash computed in SQL: it
    // must be the hash of the very text embedded, accents, dashes and spaces included.)
    const title = 'A Note on Évaluating Robots — 日本語  ';
    await run.db.paper.update({ where: { id: run.scenario.ids.misc }, data: { title } });
    expect(await refreshEmbeddings(run.db, embedder)).toMatchObject({ embedded: 1, unchanged: THEMED.length - 1 });
    const edited = await run.db.paperEmbedding.findUniqueOrThrow({ where: { paperId_model: { paperId: run.scenario.ids.misc, model: HASHING_MODEL } } });
    expect(edited.contentHash).toBe(contentHash(paperText({ title, abstract: THEMED[8].abstract })));
    expect(await refreshEmbeddings(run.db, embedder)).toMatchObject({ embedded: 0 });

    // Another model (here: another dimension) has rows of its own; the first model's stay until pruned.
    const small = hashingEmbedder(64);
    expect(await refreshEmbeddings(run.db, small)).toMatchObject({ model: `${HASHING_MODEL}-64`, embedded: THEMED.length });
    expect(await run.db.paperEmbedding.count()).toBe(2 * THEMED.length);
    expect(await refreshEmbeddings(run.db, small, { prune: true })).toMatchObject({ embedded: 0, pruned: THEMED.length });
    expect(await run.db.paperEmbedding.count({ where: { model: HASHING_MODEL } })).toBe(0);
  });

  test('related papers come from the vectors: cosine scores, like papers first', async () => {
    await embedAll();
    for (const [key, theme] of [['diff1', ['diff2', 'diff3']], ['llm2', ['llm1', 'llm3']], ['robot1', ['robot2']]] as const) {
      const related = await h.related(key);
      const keys = related.map((r) => h.keyOf(r.paper.id));
      expect(keys.slice(0, theme.length).sort()).toEqual([...theme].sort());
      expect(keys).not.toContain(key);
      // The score is the cosine of the two papers' embeddings, not of their term vectors.
      for (const r of related) expect(r.score).toBeCloseTo(dot(vectorOf(key), vectorOf(h.keyOf(r.paper.id) as ThemedKey)), 4);
    }
  });

  test('a paper without a vector of the current model is answered from its terms', async () => {
    await embedAll();
    const termsOnly = async () => {
      setPath(run, null);
      const list = await h.related('robot2');
      expect((await enable(run, hashingEmbedder())).state).toBe('on');
      return list;
    };
    await run.db.paperEmbedding.delete({ where: { paperId_model: { paperId: run.scenario.ids.robot2, model: HASHING_MODEL } } });
    // Asked together with a paper that has one: one list from each path.
    const PAIR = `query($a: ID!, $b: ID!) { a: paper(id: $a) { related(first: 3) { score paper { id } } } b: paper(id: $b) { related(first: 3) { score paper { id } } } }`;
    const both = await run.server.data(PAIR, { a: h.gid('robot1'), b: h.gid('robot2') });
    expect(both.b.related).toEqual((await termsOnly()).slice(0, 3));
    // robot1 still compares by vector, and robot2 (no vector) is no longer among its neighbours.
    expect(both.a.related.map((r: Scored) => h.keyOf(r.paper.id))).not.toContain('robot2');
    expect(both.a.related[0].score).toBeCloseTo(dot(vectorOf('robot1'), vectorOf(h.keyOf(both.a.related[0].paper.id) as ThemedKey)), 4);
  });

  test('HYBRID search ranks embedded papers by their vectors and keeps snippets', async () => {
    await embedAll();
    // No paper holds both words, so full text finds none; with every paper embedded the term
    // ranking has none left to rank: the five come from the embedding ranking.
    await run.db.$executeRaw`DELETE FROM "PaperTerm"`;
    const found = await h.hybrid('diffusion robot');
    expect(found.total).toBe(5);
    expect([...found.keys].sort()).toEqual(['diff1', 'diff2', 'diff3', 'robot1', 'robot2']);
    const tactile = await h.hybrid('tactile grasping');
    expect(tactile.keys.slice(0, 2).sort()).toEqual(['robot1', 'robot2']);
    const { papers } = await run.server.data(SEARCH, { q: 'tactile grasping' });
    expect(papers.edges[0].highlight.abstract).toContain('<mark>');
  });

  test('"for you" comes from the vectors of the profile, and changes with follows and collections', async () => {
    await embedAll();
    const { reader } = run.scenario;
    expect(await h.recommended(reader)).toEqual([]);
    await run.server.as(reader).data(UPVOTE, { id: h.gid('llm1') });
    const fromUpvote = await h.recommended(reader, 3);
    expect(h.keyOf(fromUpvote[0]!.paper.id)).toMatch(/^llm[23]$/);
    expect(fromUpvote.map((r) => h.keyOf(r.paper.id))).not.toContain('llm1');
    // One upvoted paper: the centroid is its vector, the score the cosine with it.
    for (const r of fromUpvote) expect(r.score).toBeCloseTo(dot(vectorOf('llm1'), vectorOf(h.keyOf(r.paper.id) as ThemedKey)), 4);

    expect(fromUpvote.map((r) => h.keyOf(r.paper.id))).not.toContain('robot2');

    // Collecting a robotics paper moves the profile its way; collected papers never come.
    const { createCollection } = await run.server.as(reader).data(`mutation { createCollection(input: { name: "Robots" }) { collection { id } } }`);
    const ADD = `mutation($c: ID!, $p: ID!) { addToCollection(collectionId: $c, paperId: $p) { userErrors { code } } }`;
    await run.server.as(reader).data(ADD, { c: createCollection.collection.id, p: h.gid('robot1') });
    const withCollection = (await h.recommended(reader, 20)).map((r) => h.keyOf(r.paper.id));
    expect(withCollection.slice(0, 3)).toContain('robot2');
    expect(withCollection).not.toContain('robot1');
    expect(withCollection).not.toContain('llm1');

    // Following the diffusion topic brings the diffusion papers in, without recommending them back.
    await run.server.as(reader).data(`mutation($id: ID!) { followTopic(topicId: $id) { userErrors { code } } }`, { id: toGlobalId('Topic', run.scenario.topic.id) });
    const withFollow = (await h.recommended(reader, 20)).map((r) => h.keyOf(r.paper.id));
    expect(withFollow).not.toEqual(withCollection);
    for (const key of ['diff1', 'diff2', 'diff3', 'llm1', 'robot1']) expect(withFollow).not.toContain(key);
  });

  test('a page of papers asking for related costs the same statements for 2 and 5 papers', async () => {
    await embedAll();
    const PAGE = `query($n: Int!) { papers(first: $n, orderBy: { field: PUBLISHED_AT }) { nodes { title related(first: 3) { score paper { title authors { name } } } } } }`;
    const count = async (n: number) => {
      run.t.queries.length = 0;
      expect((await run.server.data(PAGE, { n })).papers.nodes).toHaveLength(n);
      return run.t.queries.length;
    };
    expect(await count(5)).toBe(await count(2));
    // Papers without a vector add the term statement, once for the whole page.
    const whole = await count(THEMED.length);
    await run.db.paperEmbedding.deleteMany({ where: { paperId: { in: [run.scenario.ids.diff1, run.scenario.ids.llm1] } } });
    expect(await count(THEMED.length)).toBe(whole + 1);
  });

  test('a failing embedder or vector query reaches the client as a masked error only', async () => {
    await embedAll();
    const failing = { model: 'failing-v1', dimensions: 512, embed: async () => Promise.reject(new Error('onnxruntime: session lost at /models/secret')) };
    expect((await enable(run, failing)).state).toBe('on');
    const search = await run.server.gql(SEARCH, { q: 'diffusion' });
    expect(search.errors).toEqual([expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    // The extension gone behind the server's back: the cast fails in SQL; its message stays in the log.
    await run.db.$executeRawUnsafe('DROP EXTENSION vector CASCADE');
    const related = await run.server.gql(RELATED, { id: h.gid('diff1'), n: 3 });
    expect(JSON.stringify(related.errors)).not.toMatch(/vector|does not exist|PaperEmbedding/);
    expect(related.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  test('a hidden paper never comes out of related, HYBRID or "for you", whoever asks', async () => {
    await embedAll();
    const { curator, reader } = run.scenario;
    await run.server.as(reader).data(UPVOTE, { id: h.gid('diff1') });
    await run.server.as(curator).data(HIDE, { id: h.gid('diff2') });
    for (const viewer of [null, reader, curator]) {
      expect(await h.relatedKeys('diff1', 100, viewer)).not.toContain('diff2');
      expect((await h.relatedKeys('diff1', 100, viewer))[0]).toBe('diff3');
      expect((await h.hybrid('diffusion sampler', viewer)).keys).not.toContain('diff2');
    }
    expect((await h.recommended(reader, 100)).map((r) => h.keyOf(r.paper.id))).not.toContain('diff2');
    // The hidden paper's own page (curators only) still has related papers: it is a source.
    expect((await h.relatedKeys('diff2', 2, curator)).sort()).toEqual(['diff1', 'diff3']);
  });
});

// Are related papers by embedding related? The measure of bench/relatedness.ts for the term
// path, here for the built-in embedder (which reads title and abstract only, never the
// keywords or topics it is judged by): the share of a paper's top 5 sharing a Hugging Face
// keyword or topic with it, against 5 random papers.
describeWithRealData('embedding relatedness on the real data')('on the real data (embedded database)', () => {
  const run = setupTestRunner({ server: false, database: { kind: 'embedded' }, reset: 'once', scenario: (db) => importFiles(db, [dataDir]) });
  afterAll(() => setPath(run, null));
  const TOP = 5;
  /** Papers judged: a fixed sample, to bound the exact scans on the embedded database. */
  const SAMPLE = 300;

  test('the top 5 by embedding share a keyword or topic far more often than 5 random papers', async () => {
    await refreshEmbeddings(run.db, hashingEmbedder());
    expect((await enable(run, hashingEmbedder())).state).toBe('on');
    const data = await relatednessLabels(run.db);
    const judged = data.labelled.filter((_, i) => i % Math.max(1, Math.floor(data.labelled.length / SAMPLE)) === 0).slice(0, SAMPLE);
    const related = await relatedPapers(run.platform.reader, judged, TOP, run.platform.embeddings);
    const byEmbedding = labelShare(data, judged, (id) => (related.get(id) ?? []).map((r) => r.paper.id));
    // For comparison only (reported, not asserted): the term path on the same sample, after the
    // rebuild a deployment runs after a first import. Its vectors hold the topics as terms.
    await rebuildRelated(run.db);
    const byTerms = await relatedPapers(run.platform.reader, judged, TOP);
    const termShare = labelShare(data, judged, (id) => (byTerms.get(id) ?? []).map((r) => r.paper.id));
    // Random: 5 other listed papers, from a seeded generator (the same every run), 20 draws.
    let seed = 20261130;
    const randomShare = randomLabelShare(data, judged, TOP, () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    console.log(
      `relatedness on the real data (${judged.length} of ${data.ids.length} papers, ${HASHING_MODEL}): ` +
        `top-${TOP} by embedding ${(100 * byEmbedding.share).toFixed(1)} % over ${byEmbedding.papers} papers, ` +
        `by term weights ${(100 * termShare.share).toFixed(1)} %, ` +
        `${TOP} random papers ${(100 * randomShare).toFixed(1)} %`,
    );
    expect(byEmbedding.papers).toBeGreaterThan(judged.length * 0.9);
    expect(byEmbedding.share).toBeGreaterThan(2 * randomShare);
  }, 600_000);
});
