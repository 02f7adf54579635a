// Embeddings of papers (src/related/embeddings/): the built-in hashing embedder, the optional
// transformers.js one, and vectors that record their model, dimension and content hash and
// are not recomputed when unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contentHash, paperText } from '../src/related/embeddings/embedder.ts';
import { hashingEmbedder, hashText, HASHING_DIMENSIONS, HASHING_MODEL } from '../src/related/embeddings/hashing.ts';
import { loadEmbedder } from '../src/related/embeddings/load.ts';
import { refreshEmbeddings } from '../src/related/embeddings/refresh.ts';
import { EmbedderLoadError, TRANSFORMERS_INSTALL } from '../src/related/embeddings/transformers.ts';
import { loadConfig } from '../src/config.ts';
import { setupTestRunner } from './helpers/runner.ts';
import { THEMED, themedCatalog, type ThemedKey } from './helpers/scenarios.ts';

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
    expect(config.embeddings).toEqual({ embedder: 'model', modelDir: 'test/fixtures' });
    // No config.json there: refused before anything is imported.
    await expect(loadEmbedder(config.embeddings)).rejects.toThrow(EmbedderLoadError);
    await expect(loadEmbedder(config.embeddings)).rejects.toThrow(/is not a transformers\.js model folder: it has no config\.json/);
    // A model folder, but the package is not installed (it is not a dependency): what to run.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
    try {
      fs.writeFileSync(path.join(folder, 'config.json'), '{"hidden_size": 384}');
      await expect(loadEmbedder({ embedder: 'model', modelDir: folder })).rejects.toThrow(
        `EMBEDDINGS_MODEL_DIR is set but @huggingface/transformers is not installed (it is an optional add-on, not a dependency): run \`${TRANSFORMERS_INSTALL}\``,
      );
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
    expect(() => loadConfig({ EMBEDDINGS: 'model' })).toThrow('EMBEDDINGS=model needs EMBEDDINGS_MODEL_DIR');
    expect(() => loadConfig({ EMBEDDINGS: 'hashing', EMBEDDINGS_MODEL_DIR: '/models/x' })).toThrow('EMBEDDINGS_MODEL_DIR is set but EMBEDDINGS=hashing');
    expect(loadConfig({}).embeddings).toEqual({ embedder: 'off' });
  });
});

describe('embedding papers', () => {
  const run = setupTestRunner({ scenario: themedCatalog });

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

    // An edited title: that paper only.
    await run.db.paper.update({ where: { id: run.scenario.ids.misc }, data: { title: 'A Note on Evaluating Robots' } });
    expect(await refreshEmbeddings(run.db, embedder)).toMatchObject({ embedded: 1, unchanged: THEMED.length - 1 });
    const edited = await run.db.paperEmbedding.findUniqueOrThrow({ where: { paperId_model: { paperId: run.scenario.ids.misc, model: HASHING_MODEL } } });
    expect(edited.contentHash).toBe(contentHash(paperText({ title: 'A Note on Evaluating Robots', abstract: THEMED[8].abstract })));

    // Another model (here: another dimension) has rows of its own; the first model's stay until pruned.
    const small = hashingEmbedder(64);
    expect(await refreshEmbeddings(run.db, small)).toMatchObject({ model: `${HASHING_MODEL}-64`, embedded: THEMED.length });
    expect(await run.db.paperEmbedding.count()).toBe(2 * THEMED.length);
    expect(await refreshEmbeddings(run.db, small, { prune: true })).toMatchObject({ embedded: 0, pruned: THEMED.length });
    expect(await run.db.paperEmbedding.count({ where: { model: HASHING_MODEL } })).toBe(0);
  });
});
