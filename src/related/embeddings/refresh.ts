// (Re)embeds papers in batches (npm run embeddings:refresh, ./cli.ts): only those with no vector
// of the embedder's model, or whose text changed since (content hash) or whose vector has
// another dimension. Vectors of other models stay (a new model can be filled in before it is
// switched on) unless `prune` removes them. Hidden papers are embedded too: like their terms,
// their vectors are only ever a source (a curator opening one sees its related papers), never
// an answer.
//
// Safe while the API serves: each batch is one upsert, so a paper always has a whole vector.
// Writes do not embed: an edited paper keeps its old vector (a paper without one is compared by
// its terms) until the next refresh; run it after imports (e.g. hourly from cron).
import type { Db } from '../../db/client.ts';
import { contentHash, paperText, type Embedder } from './embedder.ts';

export interface RefreshReport {
  model: string;
  dimensions: number;
  /** Papers looked at (all of them). */
  papers: number;
  /** Papers (re)embedded by this run. */
  embedded: number;
  /** Papers whose vector was current already. */
  unchanged: number;
  /** Vectors of other models removed (`prune`). */
  pruned: number;
  ms: number;
}

export interface RefreshOptions {
  /** Papers read per batch; default 256. */
  batchSize?: number;
  /** Remove the vectors of every other model. */
  prune?: boolean;
  onProgress?: (done: number, embedded: number) => void;
}

interface Row {
  id: number;
  title: string;
  abstract: string | null;
  contentHash: string | null;
  dimensions: number | null;
}

export async function refreshEmbeddings(db: Db, embedder: Embedder, options: RefreshOptions = {}): Promise<RefreshReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 256;
  const { model, dimensions } = embedder;
  let after = 0;
  let papers = 0;
  let embedded = 0;
  for (;;) {
    const rows = await db.$queryRaw<Row[]>`
      SELECT p.id, p.title, p.abstract, e."contentHash", e.dimensions
      FROM "Paper" p LEFT JOIN "PaperEmbedding" e ON e."paperId" = p.id AND e.model = ${model}
      WHERE p.id > ${after}::int ORDER BY p.id LIMIT ${batchSize}::int`;
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    papers += rows.length;
    const stale = rows
      .map((row) => ({ id: row.id, text: paperText(row), row }))
      .map((paper) => ({ ...paper, hash: contentHash(paper.text) }))
      .filter(({ row, hash }) => row.contentHash !== hash || row.dimensions !== dimensions);
    if (stale.length > 0) {
      const vectors = await embedder.embed(stale.map((paper) => paper.text));
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
    }
    options.onProgress?.(papers, embedded);
  }
  const pruned = options.prune ? await db.$executeRaw`DELETE FROM "PaperEmbedding" WHERE model <> ${model}` : 0;
  return { model, dimensions, papers, embedded, unchanged: papers - embedded, pruned, ms: Math.round(performance.now() - started) };
}
