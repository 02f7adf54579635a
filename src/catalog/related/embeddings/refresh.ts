// (Re)embeds papers in batches (npm run embeddings:refresh, src/cli/embeddings.ts): only those with no vector
// of the embedder's model, or whose text changed since (content hash) or whose vector has
// another dimension. Vectors of other models stay (a new model can be filled in before it is
// switched on) unless `prune` removes them, with their HNSW indexes. Hidden papers are embedded too: like their terms,
// their vectors are only ever a source (a curator opening one sees its related papers), never
// an answer.
//
// Safe while the API serves: each batch is one upsert, so a paper always has a whole vector.
// Writes do not embed: an edited paper keeps its old vector (a paper without one is compared by
// its terms) until the next refresh; run it after imports (e.g. hourly from cron).
import type { Db } from '../../../platform/db/client.ts';
import { Prisma } from '../../../generated/prisma/client.ts';
import { PAPER_TEXT_HASH_SQL, paperText, type Embedder } from '../../../platform/embeddings/embedder.ts';
import { dropOtherHnswIndexes } from '../../../platform/embeddings/hnsw.ts';

export interface RefreshReport {
  model: string;
  dimensions: number;
  /** Papers in the catalog at the end. */
  papers: number;
  /** Papers (re)embedded by this run. */
  embedded: number;
  /** Papers whose vector was current already. */
  unchanged: number;
  /** Vectors of other models removed (`prune`). */
  pruned: number;
  /** HNSW indexes of other models dropped (`prune`; src/platform/embeddings/hnsw.ts). */
  prunedIndexes: string[];
  ms: number;
}

export interface RefreshOptions {
  /** Papers read per batch; default 256. */
  batchSize?: number;
  /** Remove the vectors of every other model, and their HNSW indexes. */
  prune?: boolean;
  /** After each batch: the last paper id done, and papers embedded so far. */
  onProgress?: (lastId: number, embedded: number) => void;
}

interface Row {
  id: number;
  title: string;
  abstract: string | null;
  hash: string;
}

export async function refreshEmbeddings(db: Db, embedder: Embedder, options: RefreshOptions = {}): Promise<RefreshReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 256;
  const { model, dimensions } = embedder;
  // Which papers are stale is decided in SQL (the text's hash computed by PostgreSQL), so a run
  // with little to do reads ids, not every title and abstract.
  const staleSql = Prisma.raw(PAPER_TEXT_HASH_SQL);
  let after = 0;
  let embedded = 0;
  for (;;) {
    const stale = await db.$queryRaw<Row[]>`
      SELECT p.id, p.title, p.abstract, h.hash
      FROM "Paper" p
      CROSS JOIN LATERAL (SELECT ${staleSql} AS hash) h
      LEFT JOIN "PaperEmbedding" e ON e."paperId" = p.id AND e.model = ${model}
      WHERE p.id > ${after}::int
        AND (e."paperId" IS NULL OR e.dimensions <> ${dimensions}::int OR e."contentHash" <> h.hash)
      ORDER BY p.id LIMIT ${batchSize}::int`;
    if (stale.length === 0) break;
    after = stale.at(-1)!.id;
    const vectors = await embedder.embed(stale.map(paperText));
    if (vectors.length !== stale.length) throw new Error(`embedder ${model} returned ${vectors.length} vectors for ${stale.length} texts`);
    const records = stale.map((paper, i) => {
      const vector = vectors[i]!;
      if (vector.length !== dimensions) throw new Error(`embedder ${model} returned a vector of ${vector.length} dimensions; it declares ${dimensions}`);
      return { id: paper.id, hash: paper.hash, embedding: Array.from(vector) };
    });
    // A paper deleted since it was read is skipped (its foreign key would fail the batch).
    await db.$executeRaw`
      INSERT INTO "PaperEmbedding" ("paperId", model, dimensions, "contentHash", embedding, "updatedAt")
      SELECT x.id, ${model}, ${dimensions}::int, x.hash, x.embedding, now()
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS x(id int, hash text, embedding real[])
      WHERE EXISTS (SELECT 1 FROM "Paper" p WHERE p.id = x.id)
      ON CONFLICT ("paperId", model) DO UPDATE
        SET dimensions = EXCLUDED.dimensions, "contentHash" = EXCLUDED."contentHash",
            embedding = EXCLUDED.embedding, "updatedAt" = EXCLUDED."updatedAt"`;
    embedded += stale.length;
    options.onProgress?.(after, embedded);
  }
  const pruned = options.prune ? await db.$executeRaw`DELETE FROM "PaperEmbedding" WHERE model <> ${model}` : 0;
  const prunedIndexes = options.prune ? await dropOtherHnswIndexes(db, embedder) : [];
  const [{ papers }] = (await db.$queryRaw<{ papers: number }[]>`SELECT count(*)::int AS papers FROM "Paper"`) as [{ papers: number }];
  return { model, dimensions, papers, embedded, unchanged: papers - embedded, pruned, prunedIndexes, ms: Math.round(performance.now() - started) };
}
