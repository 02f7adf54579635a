// Imports a citation snapshot: Semantic Scholar `papers` or `citations`, or OpenAlex `works`,
// as JSON Lines files, plain or gzipped. One snapshot (the files of one kind given together) is
// one transaction:
// - its id is a hash of its files' bytes: a snapshot already imported changes nothing;
// - it replaces what the same source and kind imported before (a newer snapshot removes the
//   edges it no longer ships);
// - a damaged file (a truncated .gz, a cut line, a bad field) rejects the whole snapshot and
//   nothing of it is kept; readers see the old graph until the commit, then the new one.
// Files are streamed and written in rounds of BATCH rows through a temporary table, so memory
// does not grow with their size. Edges are matched to catalog papers in SQL (matchWorks,
// writeEdges) and kept when at least one end is a catalog paper.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Db } from '../../platform/db/client.ts';
import { openAlexWork, parseLine, s2Citation, s2Paper, SnapshotError, type EdgeRecord, type WorkRecord } from './records.ts';

export type SnapshotKind = 's2-papers' | 's2-citations' | 'openalex-works';
type Source = 'S2' | 'OPENALEX';

const SOURCE_OF: Record<SnapshotKind, Source> = { 's2-papers': 'S2', 's2-citations': 'S2', 'openalex-works': 'OPENALEX' };

/** Where progress goes (src/catalog/import/progress.ts has this shape). */
export interface SnapshotProgress {
  begin(label: string, unit: string, total?: number): void;
  advance(n?: number): void;
  end(): void;
  log(line: string): void;
}

const silent: SnapshotProgress = { begin() {}, advance() {}, end() {}, log() {} };

export interface SnapshotReport {
  kind: SnapshotKind;
  files: string[];
  snapshotId: string;
  status: 'imported' | 'unchanged' | 'rejected';
  reason?: string;
  /** Lines read. */
  rows: number;
  /** Works stored (papers, works). */
  works: number;
  /** Works matched to a catalog paper. */
  worksMatched: number;
  /** Edges read (citations rows with both ends known to the source; references of works). */
  edgesRead: number;
  /** Distinct edges (duplicates collapsed). */
  edgesDistinct: number;
  matchedBoth: number;
  matchedOne: number;
  /** Not kept: neither end is a catalog paper. */
  matchedNeither: number;
  seconds: number;
}

export interface SnapshotOptions {
  progress?: SnapshotProgress | undefined;
  /** Rows per round trip (default 20,000). */
  batch?: number;
}

const BATCH = 20_000;

/** sha256 of the kind and of every file's bytes (in name order): the snapshot's id. */
async function snapshotIdOf(kind: SnapshotKind, files: string[]): Promise<string> {
  const digests: string[] = [];
  for (const file of files) {
    const hash = createHash('sha256');
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
    digests.push(hash.digest('hex'));
  }
  return `${kind}:${createHash('sha256').update(digests.sort().join('\n')).digest('hex').slice(0, 32)}`;
}

/** The lines of a file, gunzipped when it starts with gzip's magic bytes. A truncated .gz throws. */
async function* linesOf(file: string): AsyncGenerator<string> {
  const head = Buffer.alloc(2);
  const fd = await fs.promises.open(file, 'r');
  try {
    await fd.read(head, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  raw.on('error', (error) => stream.destroy(error));
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as Buffer).toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) yield line;
    }
  } catch (error) {
    throw new SnapshotError(`${file}: ${(error as Error).message} (a truncated or damaged file?)`);
  }
  // A last line without its newline is kept: JSON.parse tells a cut one.
  if (rest !== '') yield rest;
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Imports one snapshot; never throws for a bad file (the report says why it was rejected). */
export async function importCitationSnapshot(db: Db, kind: SnapshotKind, files: string[], options: SnapshotOptions = {}): Promise<SnapshotReport> {
  const started = performance.now();
  const progress = options.progress ?? silent;
  const batch = options.batch ?? BATCH;
  const source = SOURCE_OF[kind];
  const report: SnapshotReport = {
    kind, files, snapshotId: '', status: 'imported', rows: 0, works: 0, worksMatched: 0,
    edgesRead: 0, edgesDistinct: 0, matchedBoth: 0, matchedOne: 0, matchedNeither: 0, seconds: 0,
  };
  const done = (status: SnapshotReport['status'], reason?: string) => {
    report.status = status;
    if (reason !== undefined) report.reason = reason;
    report.seconds = (performance.now() - started) / 1000;
    return report;
  };
  try {
    report.snapshotId = await snapshotIdOf(kind, [...files].sort());
  } catch (error) {
    return done('rejected', (error as Error).message);
  }
  if (await db.citationSnapshot.findUnique({ where: { id: report.snapshotId }, select: { id: true } })) return done('unchanged');

  try {
    const imported = await db.$transaction(
      async (tx) => {
        // Big snapshots run longer than a request's statement timeout; one import at a time.
        await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = 0`);
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('citation-graph-import'))`);
        if (await tx.citationSnapshot.findUnique({ where: { id: report.snapshotId }, select: { id: true } })) return false;
        const asOf = new Date();
        if (kind === 's2-citations') {
          await stageEdges(tx, files, report, progress, batch, (row, file, line) => s2Citation(row, file, line));
        } else {
          await tx.$executeRawUnsafe(`DELETE FROM "CitationWork" WHERE source = $1::"CitationSource"`, source);
          if (kind === 'openalex-works') await createStaging(tx);
          await readWorks(tx, kind, source, files, asOf, report, progress, batch);
          report.worksMatched = await matchWorks(tx, source);
        }
        if (kind === 's2-papers') await rematchEdges(tx, source);
        else await writeEdges(tx, source, report);
        await recount(tx);
        const { snapshotId: _id, status: _status, seconds: _seconds, ...counts } = report;
        await tx.citationSnapshot.create({ data: { id: report.snapshotId, source, kind, importedAt: asOf, report: counts } });
        return true;
      },
      { timeout: 6 * 3600_000, maxWait: 60_000 },
    );
    return done(imported ? 'imported' : 'unchanged');
  } catch (error) {
    progress.end();
    if (error instanceof SnapshotError) return done('rejected', error.message);
    throw error;
  }
}

async function createStaging(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`CREATE TEMP TABLE citation_staging (citing text NOT NULL, cited text NOT NULL, influential boolean NOT NULL, intents text NOT NULL) ON COMMIT DROP`);
}

/** Rounds of rows: the next round is parsed while the previous one is written. */
class Rounds<T> {
  private rows: T[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly size: number,
    private readonly write: (rows: T[]) => Promise<unknown>,
  ) {}
  async push(row: T): Promise<void> {
    this.rows.push(row);
    if (this.rows.length >= this.size) await this.flush();
  }
  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await this.writing;
    if (rows.length === 0) return;
    const writing = this.write(rows);
    // Awaited by the next round or by finish(); a parse error before then must not leave it unhandled.
    writing.catch(() => {});
    this.writing = writing;
  }
  async finish(): Promise<void> {
    await this.flush();
    await this.writing;
  }
}

function edgeRounds(tx: Tx, size: number): Rounds<EdgeRecord> {
  return new Rounds(size, (rows) =>
    tx.$executeRawUnsafe(
      `INSERT INTO citation_staging SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[])`,
      rows.map((r) => r.citingId),
      rows.map((r) => r.citedId),
      rows.map((r) => r.isInfluential),
      rows.map((r) => r.intents),
    ),
  );
}

async function stageEdges(
  tx: Tx,
  files: string[],
  report: SnapshotReport,
  progress: SnapshotProgress,
  batch: number,
  parse: (row: Record<string, unknown>, file: string, line: number) => EdgeRecord | null,
): Promise<void> {
  await createStaging(tx);
  const edges = edgeRounds(tx, batch);
  for (const file of files) {
    progress.begin(`s2-citations ${file}`, 'rows');
    let line = 0;
    for await (const text of linesOf(file)) {
      line++;
      if (text.trim() === '') continue;
      report.rows++;
      const edge = parse(parseLine(text, file, line), file, line);
      if (edge) {
        report.edgesRead++;
        await edges.push(edge);
      }
      if (line % 10_000 === 0) progress.advance(10_000);
    }
    progress.advance(line % 10_000);
    progress.end();
  }
  await edges.finish();
}

async function readWorks(tx: Tx, kind: SnapshotKind, source: Source, files: string[], asOf: Date, report: SnapshotReport, progress: SnapshotProgress, batch: number): Promise<void> {
  const edges = edgeRounds(tx, batch);
  const works = new Rounds<WorkRecord>(batch, async (rows) => {
    // A work shipped twice in one round: the last one wins (ON CONFLICT cannot touch a row twice).
    const unique = [...new Map(rows.map((row) => [row.externalId, row])).values()];
    await tx.$executeRawUnsafe(
      `INSERT INTO "CitationWork" (source, "externalId", "arxivId", doi, title, year, "citationCount", "influentialCitationCount", "referenceCount", "asOf")
       SELECT $1::"CitationSource", w.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::int[], $10::timestamptz[]) w
       ON CONFLICT (source, "externalId") DO UPDATE SET "arxivId" = excluded."arxivId", doi = excluded.doi, title = excluded.title, year = excluded.year,
         "citationCount" = excluded."citationCount", "influentialCitationCount" = excluded."influentialCitationCount",
         "referenceCount" = excluded."referenceCount", "asOf" = excluded."asOf"`,
      source,
      unique.map((w) => w.externalId),
      unique.map((w) => w.arxivId),
      unique.map((w) => w.doi),
      unique.map((w) => w.title),
      unique.map((w) => w.year),
      unique.map((w) => w.citationCount),
      unique.map((w) => w.influentialCitationCount),
      unique.map((w) => w.referenceCount),
      unique.map((w) => (w.asOf ? new Date(w.asOf) : asOf).toISOString()),
    );
  });
  for (const file of files) {
    progress.begin(`${kind} ${file}`, 'rows');
    let line = 0;
    for await (const text of linesOf(file)) {
      line++;
      if (text.trim() === '') continue;
      report.rows++;
      const row = parseLine(text, file, line);
      if (kind === 'openalex-works') {
        const { work, references } = openAlexWork(row, file, line);
        await works.push(work);
        for (const cited of references) {
          report.edgesRead++;
          await edges.push({ citingId: work.externalId, citedId: cited, isInfluential: false, intents: '' });
        }
      } else {
        await works.push(s2Paper(row, file, line));
      }
      if (line % 10_000 === 0) progress.advance(10_000);
    }
    progress.advance(line % 10_000);
    progress.end();
  }
  await works.finish();
  await edges.finish();
  const [{ n }] = await tx.$queryRawUnsafe<[{ n: number }]>(`SELECT count(*)::int AS n FROM "CitationWork" WHERE source = $1::"CitationSource"`, source);
  report.works = n;
}

/** Each work's catalog paper: by arXiv id (versions stripped), then by DOI. Returns the works matched. */
async function matchWorks(tx: Tx, source: Source): Promise<number> {
  const byArxiv = await tx.$executeRawUnsafe(
    `UPDATE "CitationWork" w SET "paperId" = p.id FROM "Paper" p WHERE w.source = $1::"CitationSource" AND w."arxivId" = p."arxivId"`,
    source,
  );
  const byDoi = await tx.$executeRawUnsafe(
    `UPDATE "CitationWork" w SET "paperId" = p.id
     FROM (SELECT DISTINCT ON (lower(doi)) id, lower(doi) AS doi FROM "Paper" WHERE doi IS NOT NULL ORDER BY lower(doi), id) p
     WHERE w.source = $1::"CitationSource" AND w."paperId" IS NULL AND w.doi = p.doi`,
    source,
  );
  return byArxiv + byDoi;
}

/**
 * Replaces the source's edges with the staged ones: duplicates collapsed, both ends matched
 * through the source's works, kept when one end at least is a catalog paper.
 */
async function writeEdges(tx: Tx, source: Source, report: SnapshotReport): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM "Citation" WHERE source = $1::"CitationSource"`, source);
  await tx.$executeRawUnsafe(`ANALYZE citation_staging`);
  const [counts] = await tx.$queryRawUnsafe<[{ distinct: number; both: number; one: number; neither: number }]>(
    `WITH edges AS (
       SELECT s.citing, s.cited, bool_or(s.influential) AS influential, max(s.intents) AS intents, wc."paperId" AS citing_paper, wd."paperId" AS cited_paper
       FROM citation_staging s
       LEFT JOIN "CitationWork" wc ON wc.source = $1::"CitationSource" AND wc."externalId" = s.citing
       LEFT JOIN "CitationWork" wd ON wd.source = $1::"CitationSource" AND wd."externalId" = s.cited
       GROUP BY s.citing, s.cited, wc."paperId", wd."paperId"
     ), kept AS (
       INSERT INTO "Citation" (source, "citingId", "citedId", "citingPaperId", "citedPaperId", "isInfluential", intents)
       SELECT $1::"CitationSource", citing, cited, citing_paper, cited_paper, influential, string_to_array(intents, ',')
       FROM edges WHERE citing_paper IS NOT NULL OR cited_paper IS NOT NULL
       RETURNING 1
     )
     SELECT count(*)::int AS distinct,
       count(*) FILTER (WHERE citing_paper IS NOT NULL AND cited_paper IS NOT NULL)::int AS both,
       count(*) FILTER (WHERE (citing_paper IS NULL) <> (cited_paper IS NULL))::int AS one,
       count(*) FILTER (WHERE citing_paper IS NULL AND cited_paper IS NULL)::int AS neither,
       (SELECT count(*) FROM kept)::int AS kept
     FROM edges`,
    source,
  );
  report.edgesDistinct = counts.distinct;
  report.matchedBoth = counts.both;
  report.matchedOne = counts.one;
  report.matchedNeither = counts.neither;
}

/** After a new `papers` snapshot: the source's edges follow their works' new matches. */
async function rematchEdges(tx: Tx, source: Source): Promise<void> {
  for (const [end, paper] of [['citingId', 'citingPaperId'], ['citedId', 'citedPaperId']] as const) {
    await tx.$executeRawUnsafe(
      `UPDATE "Citation" c SET "${paper}" = (SELECT w."paperId" FROM "CitationWork" w WHERE w.source = c.source AND w."externalId" = c."${end}")
       WHERE c.source = $1::"CitationSource"`,
      source,
    );
  }
  await tx.$executeRawUnsafe(`DELETE FROM "Citation" WHERE source = $1::"CitationSource" AND "citingPaperId" IS NULL AND "citedPaperId" IS NULL`, source);
}

/** PaperCitationCount from scratch: distinct listed citing papers per cited paper. */
async function recount(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`DELETE FROM "PaperCitationCount"`);
  await tx.$executeRawUnsafe(
    `INSERT INTO "PaperCitationCount" ("paperId", "inCatalog")
     SELECT c."citedPaperId", count(DISTINCT c."citingPaperId")::int
     FROM "Citation" c JOIN "Paper" p ON p.id = c."citingPaperId" AND p."hiddenAt" IS NULL
     WHERE c."citedPaperId" IS NOT NULL GROUP BY 1`,
  );
}

/** One line per snapshot, for the CLI. */
export function formatSnapshotReport(r: SnapshotReport): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const name = `${r.kind} (${r.files.length} file${r.files.length === 1 ? '' : 's'})`;
  if (r.status === 'rejected') return `${name}: rejected, nothing changed: ${r.reason}`;
  if (r.status === 'unchanged') return `${name}: snapshot ${r.snapshotId} already imported, nothing changed`;
  const parts = [`${fmt(r.rows)} rows in ${r.seconds.toFixed(1)} s`];
  if (r.kind !== 's2-citations') parts.push(`${fmt(r.works)} works, ${fmt(r.worksMatched)} matched to catalog papers`);
  if (r.kind !== 's2-papers') {
    parts.push(
      `${fmt(r.edgesRead)} edges read, ${fmt(r.edgesDistinct)} distinct: ${fmt(r.matchedBoth)} matched both ends, ${fmt(r.matchedOne)} one end, ` +
        `${fmt(r.matchedNeither)} neither (not kept)`,
    );
  }
  return `${name}: imported snapshot ${r.snapshotId}: ${parts.join('; ')}`;
}
