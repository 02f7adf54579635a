// Imports a citation snapshot: Semantic Scholar `papers` or `citations`, or OpenAlex `works`,
// as JSON Lines files, plain or gzipped. One snapshot (the files of one kind given together) is
// one transaction:
// - its id is a hash of its files' bytes: a snapshot already imported changes nothing;
// - it replaces what the same source and kind imported before (a newer snapshot removes the
//   edges it no longer ships);
// - a damaged file (a truncated .gz, a cut line, a bad field) rejects the whole snapshot and
//   nothing of it is kept; readers see the old graph until the commit, then the new one.
// Files are streamed and written in rounds of BATCH rows through a temporary table, so memory
// does not grow with their size. The import holds one plain pg connection of its own for its
// transaction, not the app's Prisma client: a Prisma interactive transaction kept every round's
// parameters (OOM at 128 MB of heap after 900k edges) and spent more time converting them. Edges are matched to catalog papers in SQL (matchWorks,
// writeEdges) and kept when at least one end is a catalog paper.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import pg from 'pg';
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
  /** Distinct edges kept (duplicates collapsed) with both ends, or one end, matched to catalog papers. */
  matchedBoth: number;
  matchedOne: number;
  /**
   * Edges read with neither end a catalog paper: not kept. S2 rows are dropped as they are read,
   * so their duplicates count each time; OpenAlex's are counted after collapsing.
   */
  matchedNeither: number;
  /** Edges read more than once (within and across files), collapsed into one. */
  duplicates: number;
  /**
   * Pairs of listed catalog papers (citing, cited) that no source linked before this snapshot,
   * and the cited papers they make: one `citationAdded` event each (live.ts).
   */
  pairsAdded: number;
  papersAnnounced: number;
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

/**
 * The lines of a file, a read chunk's worth at a time (lines are then handled without an await
 * each), gunzipped when it starts with gzip's magic bytes. A truncated .gz throws.
 */
async function* linesOf(file: string): AsyncGenerator<string[]> {
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
  // A character split between two chunks is decoded whole.
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.write(chunk as Buffer);
      const lines = text.split('\n');
      rest = lines.pop()!;
      yield lines;
    }
  } catch (error) {
    throw new SnapshotError(`${file}: ${(error as Error).message} (a truncated or damaged file?)`);
  }
  rest += decoder.end();
  // A last line without its newline is kept: JSON.parse tells a cut one.
  if (rest !== '') yield [rest];
}

/** The import's connection, inside its transaction. */
interface Tx {
  $executeRawUnsafe(text: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<R>(text: string, ...values: unknown[]): Promise<R>;
}

function txOf(client: pg.Client): Tx {
  return {
    $executeRawUnsafe: async (text, ...values) => (await client.query(text, values)).rowCount ?? 0,
    $queryRawUnsafe: async <R>(text: string, ...values: unknown[]) => (await client.query(text, values)).rows as R,
  };
}

const snapshotExists = async (tx: Tx, id: string) =>
  (await tx.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "CitationSnapshot" WHERE id = $1`, id)).length > 0;

/** Imports one snapshot; never throws for a bad file (the report says why it was rejected). */
export async function importCitationSnapshot(connectionString: string, kind: SnapshotKind, files: string[], options: SnapshotOptions = {}): Promise<SnapshotReport> {
  const started = performance.now();
  const progress = options.progress ?? silent;
  const batch = options.batch ?? BATCH;
  const source = SOURCE_OF[kind];
  const report: SnapshotReport = {
    kind, files, snapshotId: '', status: 'imported', rows: 0, works: 0, worksMatched: 0,
    edgesRead: 0, duplicates: 0, matchedBoth: 0, matchedOne: 0, matchedNeither: 0, pairsAdded: 0, papersAnnounced: 0, seconds: 0,
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
  const client = new pg.Client({ connectionString });
  // A connection the server ends mid-import fails the next statement; without a listener its
  // 'error' event would end the process first.
  client.on('error', () => {});
  await client.connect();
  const tx = txOf(client);
  try {
    if (await snapshotExists(tx, report.snapshotId)) return done('unchanged');
    await tx.$executeRawUnsafe('BEGIN');
    // Big snapshots run longer than a request's statement timeout; one import at a time.
    await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = 0`);
    // Collapsing duplicates groups millions of staged edges: in memory rather than spilled to disk.
    await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`);
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('citation-graph-import'))`);
    if (await snapshotExists(tx, report.snapshotId)) {
      await tx.$executeRawUnsafe('ROLLBACK');
      return done('unchanged');
    }
    const asOf = new Date();
    if (kind === 's2-citations') {
      const at = performance.now();
      await stageEdges(tx, files, report, progress, batch, (row, file, line) => s2Citation(row, file, line));
      progress.log(`${kind}: ${report.edgesRead.toLocaleString('en-US')} edges read and staged in ${((performance.now() - at) / 1000).toFixed(1)} s`);
    } else {
      await tx.$executeRawUnsafe(`DELETE FROM "CitationWork" WHERE source = $1::"CitationSource"`, source);
      if (kind === 'openalex-works') await createStaging(tx);
      await readWorks(tx, kind, source, files, asOf, report, progress, batch);
      report.worksMatched = await matchWorks(tx, source);
    }
    const phase = async (label: string, work: () => Promise<void>) => {
      const at = performance.now();
      await work();
      progress.log(`${kind}: ${label} in ${((performance.now() - at) / 1000).toFixed(1)} s`);
    };
    if (kind === 's2-papers') await phase('edges rematched', () => rematchEdges(tx, source));
    else await phase('edges matched and written', () => writeEdges(tx, source, report, kind === 's2-citations'));
    await phase('counts recomputed', () => recount(tx));
    await phase('new citations announced', () => announce(tx, report, source, asOf));
    const { snapshotId: _id, status: _status, seconds: _seconds, ...counts } = report;
    await tx.$executeRawUnsafe(
      `INSERT INTO "CitationSnapshot" (id, source, kind, "importedAt", report) VALUES ($1, $2::"CitationSource", $3, $4, $5)`,
      report.snapshotId, source, kind, asOf, JSON.stringify(counts),
    );
    await tx.$executeRawUnsafe('COMMIT');
    return done('imported');
  } catch (error) {
    progress.end();
    await tx.$executeRawUnsafe('ROLLBACK').catch(() => {});
    if (error instanceof SnapshotError) return done('rejected', error.message);
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createStaging(tx: Tx): Promise<void> {
  // citing_paper/cited_paper: the catalog papers of the ends when already known (S2: matched
  // while reading), else null and matched in SQL (OpenAlex: its works come in the same files).
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE citation_staging (citing text NOT NULL, cited text NOT NULL, influential boolean NOT NULL, intents text NOT NULL,
       citing_paper int, cited_paper int) ON COMMIT DROP`,
  );
}

/** Rounds of rows: the next round is parsed while the previous one is written. */
class Rounds<T> {
  private rows: T[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly size: number,
    private readonly write: (rows: T[]) => Promise<unknown>,
  ) {}
  /** A promise only when the round is full and goes out: rows are pushed without an await each. */
  push(row: T): Promise<void> | undefined {
    this.rows.push(row);
    return this.rows.length >= this.size ? this.flush() : undefined;
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

type StagedEdge = EdgeRecord & { citingPaper?: number | undefined; citedPaper?: number | undefined };

function edgeRounds(tx: Tx, size: number): Rounds<StagedEdge> {
  // One text parameter of tab-separated lines, split by the server: far cheaper to send than
  // four arrays (ids are digits or W..., intents carry no tab or newline: records.ts).
  return new Rounds(size, (rows) => {
    let tsv = '';
    for (const r of rows) tsv += `${r.citingId}\t${r.citedId}\t${r.isInfluential ? 't' : 'f'}\t${r.intents}\t${r.citingPaper ?? ''}\t${r.citedPaper ?? ''}\n`;
    return tx.$executeRawUnsafe(
      `INSERT INTO citation_staging SELECT f[1], f[2], f[3]::boolean, f[4], nullif(f[5], '')::int, nullif(f[6], '')::int
       FROM (SELECT string_to_array(l, E'\\t') AS f FROM unnest(string_to_array(rtrim($1, E'\\n'), E'\\n')) l) s`,
      tsv,
    );
  });
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
  // The source's works matched to catalog papers (as many as the catalog has papers, at most):
  // an edge with neither end among them is counted and dropped here, never sent.
  const papers = new Map<string, number>();
  const matched = await tx.$queryRawUnsafe<{ externalId: string; paperId: number }[]>(
    `SELECT "externalId", "paperId" FROM "CitationWork" WHERE source = 'S2' AND "paperId" IS NOT NULL`,
  );
  for (const work of matched) papers.set(work.externalId, work.paperId);
  matched.length = 0;
  const edges = edgeRounds(tx, batch);
  for (const file of files) {
    progress.begin(`s2-citations ${file}`, 'rows');
    let line = 0;
    for await (const texts of linesOf(file)) {
      for (const text of texts) {
        line++;
        if (text.trim() === '') continue;
        report.rows++;
        const edge = parse(parseLine(text, file, line), file, line);
        if (edge) {
          report.edgesRead++;
          const citingPaper = papers.get(edge.citingId);
          const citedPaper = papers.get(edge.citedId);
          if (citingPaper === undefined && citedPaper === undefined) report.matchedNeither++;
          else {
            const full = edges.push({ ...edge, citingPaper, citedPaper });
            if (full) await full;
          }
        }
        if (line % 10_000 === 0) progress.advance(10_000);
      }
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
    for await (const texts of linesOf(file)) {
      for (const text of texts) {
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
 * Makes the source's edges the staged ones: duplicates collapsed, both ends matched (while
 * reading, or here through the source's works), kept when one end at least is a catalog paper.
 * Written as a difference (delete what the snapshot no longer ships, update what changed, insert
 * what is new), not by deleting and inserting everything: a newer snapshot repeats most edges,
 * and inserting a key whose deleted row is still in the unique index costs a heap visit per row
 * (2M edges: 4 minutes instead of seconds).
 */
async function writeEdges(tx: Tx, source: Source, report: SnapshotReport, matchedWhileReading: boolean): Promise<void> {
  await tx.$executeRawUnsafe(`ANALYZE citation_staging`);
  const ends = matchedWhileReading
    ? `s.citing_paper, s.cited_paper FROM citation_staging s`
    : `wc."paperId" AS citing_paper, wd."paperId" AS cited_paper FROM citation_staging s
       LEFT JOIN "CitationWork" wc ON wc.source = $1::"CitationSource" AND wc."externalId" = s.citing
       LEFT JOIN "CitationWork" wd ON wd.source = $1::"CitationSource" AND wd."externalId" = s.cited`;
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE citation_edges ON COMMIT DROP AS
     SELECT s.citing, s.cited, bool_or(s.influential) AS influential, string_to_array(max(s.intents), ',') AS intents, citing_paper, cited_paper
     FROM (SELECT s.citing, s.cited, s.influential, s.intents, ${ends}) s
     GROUP BY s.citing, s.cited, citing_paper, cited_paper`,
    ...(matchedWhileReading ? [] : [source]),
  );
  const [counts] = await tx.$queryRawUnsafe<[{ both: number; one: number; neither: number }]>(
    `SELECT count(*) FILTER (WHERE citing_paper IS NOT NULL AND cited_paper IS NOT NULL)::int AS both,
       count(*) FILTER (WHERE (citing_paper IS NULL) <> (cited_paper IS NULL))::int AS one,
       count(*) FILTER (WHERE citing_paper IS NULL AND cited_paper IS NULL)::int AS neither
     FROM citation_edges`,
  );
  await tx.$executeRawUnsafe(`DELETE FROM citation_edges WHERE citing_paper IS NULL AND cited_paper IS NULL`);
  await tx.$executeRawUnsafe(`CREATE UNIQUE INDEX ON citation_edges (citing, cited)`);
  await tx.$executeRawUnsafe(`ANALYZE citation_edges`);
  // Before the graph changes: which catalog paper pairs are new to it (announce below).
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE citation_new_pairs ON COMMIT DROP AS
     SELECT DISTINCT n.citing_paper AS citing, n.cited_paper AS cited FROM citation_edges n
     WHERE n.citing_paper IS NOT NULL AND n.cited_paper IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "Citation" c WHERE c."citedPaperId" = n.cited_paper AND c."citingPaperId" = n.citing_paper)`,
  );
  await tx.$executeRawUnsafe(
    `DELETE FROM "Citation" c WHERE c.source = $1::"CitationSource"
     AND NOT EXISTS (SELECT 1 FROM citation_edges n WHERE n.citing = c."citingId" AND n.cited = c."citedId")`,
    source,
  );
  await tx.$executeRawUnsafe(
    `UPDATE "Citation" c SET "citingPaperId" = n.citing_paper, "citedPaperId" = n.cited_paper, "isInfluential" = n.influential, intents = n.intents
     FROM citation_edges n
     WHERE c.source = $1::"CitationSource" AND c."citingId" = n.citing AND c."citedId" = n.cited
       AND (c."citingPaperId" IS DISTINCT FROM n.citing_paper OR c."citedPaperId" IS DISTINCT FROM n.cited_paper
            OR c."isInfluential" <> n.influential OR c.intents IS DISTINCT FROM n.intents)`,
    source,
  );
  // In key order: the primary key's index grows at its end instead of splitting pages everywhere.
  await tx.$executeRawUnsafe(
    `INSERT INTO "Citation" (source, "citingId", "citedId", "citingPaperId", "citedPaperId", "isInfluential", intents)
     SELECT $1::"CitationSource", n.citing, n.cited, n.citing_paper, n.cited_paper, n.influential, n.intents FROM citation_edges n
     WHERE NOT EXISTS (SELECT 1 FROM "Citation" c WHERE c.source = $1::"CitationSource" AND c."citingId" = n.citing AND c."citedId" = n.cited)
     ORDER BY n.citing, n.cited`,
    source,
  );
  report.matchedBoth = counts.both;
  report.matchedOne = counts.one;
  report.matchedNeither += counts.neither;
  report.duplicates = report.edgesRead - report.matchedBoth - report.matchedOne - report.matchedNeither;
}

/** After a new `papers` snapshot: the source's edges follow their works' new matches. */
async function rematchEdges(tx: Tx, source: Source): Promise<void> {
  // Before the ends move: the catalog paper pairs that the new matches link for the first time.
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE citation_new_pairs ON COMMIT DROP AS
     SELECT DISTINCT wc."paperId" AS citing, wd."paperId" AS cited FROM "Citation" c
     JOIN "CitationWork" wc ON wc.source = c.source AND wc."externalId" = c."citingId"
     JOIN "CitationWork" wd ON wd.source = c.source AND wd."externalId" = c."citedId"
     WHERE c.source = $1::"CitationSource" AND wc."paperId" IS NOT NULL AND wd."paperId" IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "Citation" e WHERE e."citedPaperId" = wd."paperId" AND e."citingPaperId" = wc."paperId")`,
    source,
  );
  for (const [end, paper] of [['citingId', 'citingPaperId'], ['citedId', 'citedPaperId']] as const) {
    await tx.$executeRawUnsafe(
      `UPDATE "Citation" c SET "${paper}" = (SELECT w."paperId" FROM "CitationWork" w WHERE w.source = c.source AND w."externalId" = c."${end}")
       WHERE c.source = $1::"CitationSource"`,
      source,
    );
  }
  await tx.$executeRawUnsafe(`DELETE FROM "Citation" WHERE source = $1::"CitationSource" AND "citingPaperId" IS NULL AND "citedPaperId" IS NULL`, source);
}

/**
 * PaperCitationCount again, for every paper: distinct listed citing papers; only changed rows
 * are written. Under the lock the hiding trigger takes in shared mode (migration citation_graph),
 * so that the count reads every hide committed before it and a hide after it waits and applies
 * its delta on top: the stored count stays exact while curators work during an import.
 */
async function recount(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('citation-graph-counts'))`);
  await tx.$executeRawUnsafe(
    `INSERT INTO "PaperCitationCount" ("paperId", "inCatalog")
     SELECT p.id, coalesce(n.n, 0) FROM "Paper" p LEFT JOIN (
       SELECT c."citedPaperId" AS id, count(DISTINCT c."citingPaperId")::int AS n
       FROM "Citation" c JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL
       WHERE c."citedPaperId" IS NOT NULL GROUP BY 1
     ) n ON n.id = p.id
     ON CONFLICT ("paperId") DO UPDATE SET "inCatalog" = excluded."inCatalog"
     WHERE "PaperCitationCount"."inCatalog" <> excluded."inCatalog"`,
  );
  // The same count per month of the citing papers' arXiv v1 date ("most cited this month").
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE citation_months ON COMMIT DROP AS
     SELECT date_trunc('month', q."publishedAt" AT TIME ZONE 'UTC')::date AS month, c."citedPaperId" AS paper, count(DISTINCT c."citingPaperId")::int AS n
     FROM "Citation" c
     JOIN "Paper" q ON q.id = c."citingPaperId" AND q."hiddenAt" IS NULL
     JOIN "Paper" p ON p.id = c."citedPaperId"
     GROUP BY 1, 2`,
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO "PaperMonthCitation" (month, "paperId", citations) SELECT month, paper, n FROM citation_months
     ON CONFLICT (month, "paperId") DO UPDATE SET citations = excluded.citations WHERE "PaperMonthCitation".citations <> excluded.citations`,
  );
  await tx.$executeRawUnsafe(
    `DELETE FROM "PaperMonthCitation" m WHERE NOT EXISTS (SELECT 1 FROM citation_months t WHERE t.month = m.month AND t.paper = m."paperId")`,
  );
}

/** Most citing papers an announcement names; `count` says how many there are in all. */
const ANNOUNCED_CITING_PAPERS = 5;
/** Announcements are kept this long: enough for any server to have read them (live.ts). */
const ANNOUNCEMENTS_KEPT_DAYS = 7;

/**
 * One row per cited paper that listed catalog papers began to cite (citation_new_pairs, made
 * before the graph changed): what `citationAdded` delivers. However many edges the snapshot adds,
 * a paper gets one announcement per import, with the count and a few of the citing papers.
 * Ids are taken in commit order: imports run one at a time (the import's advisory lock), so a
 * reader of "id > the last seen" never skips a row that commits later with a smaller id.
 */
async function announce(tx: Tx, report: SnapshotReport, source: Source, at: Date): Promise<void> {
  const rows = await tx.$queryRawUnsafe<{ pairs: number; papers: number }[]>(
    `WITH added AS (
       INSERT INTO "CitationAddition" ("snapshotId", source, "citedPaperId", count, "citingPaperIds", "createdAt")
       SELECT $1, $2::"CitationSource", n.cited, count(*)::int, (array_agg(q.id ORDER BY q."publishedAt" DESC, q.id DESC))[1:${ANNOUNCED_CITING_PAPERS}], $3
       FROM citation_new_pairs n
       JOIN "Paper" q ON q.id = n.citing AND q."hiddenAt" IS NULL
       JOIN "Paper" p ON p.id = n.cited AND p."hiddenAt" IS NULL
       GROUP BY n.cited ORDER BY n.cited
       RETURNING count
     ) SELECT coalesce(sum(count), 0)::int AS pairs, count(*)::int AS papers FROM added`,
    report.snapshotId,
    source,
    at,
  );
  report.pairsAdded = rows[0]!.pairs;
  report.papersAnnounced = rows[0]!.papers;
  await tx.$executeRawUnsafe(`DELETE FROM "CitationAddition" WHERE "createdAt" < $1::timestamptz - make_interval(days => ${ANNOUNCEMENTS_KEPT_DAYS})`, at);
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
      `${fmt(r.edgesRead)} edges read: ${fmt(r.matchedBoth)} matched both ends, ${fmt(r.matchedOne)} one end, ` +
        `${fmt(r.matchedNeither)} neither (not kept), ${fmt(r.duplicates)} duplicates collapsed`,
    );
  }
  parts.push(`${fmt(r.pairsAdded)} new citing pairs, announced for ${fmt(r.papersAnnounced)} cited papers`);
  return `${name}: imported snapshot ${r.snapshotId}: ${parts.join('; ')}`;
}
