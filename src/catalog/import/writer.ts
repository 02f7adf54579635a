// Writes validated papers inside the caller's transaction, comparing before writing so that
// importing the same input twice changes nothing (no UPDATE at all, `updatedAt` untouched).
//
// Rules, field by field:
// - title, abstract, publishedAt: the newer import wins (a title revised on arXiv is taken).
// - optional fields: the newer import wins where it says something; a field it lacks keeps the
//   stored value (never erased, never replaced by null, zero or "").
// - featuredOn: the EARLIEST day the paper was featured. A paper listed on several days keeps
//   its first day, whatever the import order, so day listings never lose it from its first day.
// - byline: rewritten when it differs (order = position, 0-based). An author's `hidden` and
//   `affiliation` the new source does not state are carried over from the stored byline.
//   A source listing no authors leaves the stored byline alone.
// - topics: added, never removed (Hugging Face keywords and arXiv categories of one paper
//   accumulate; a keyword dropped by a later snapshot stays linked).
// - authors: matched by `normalizeAuthorName` (Author.normalizedName is unique), then by the
//   names of authors merged away (AuthorAlias: the survivor); a new name creates an Author, an
//   existing one keeps the display name it was created with.
//
// NEVER written here: `upvoteCount` and Vote rows (our users' votes: Hugging Face upvotes go to
// `hfUpvotes`), `submittedById` (Hugging Face submitters are outside handles, stored in
// `hfSubmitterHandle`).
//
// Every query goes through `tx`: on the embedded database a query on another connection while
// this transaction is open would wait for it forever.
//
// Reads use the Prisma client. Writes are multi-row SQL fed by `unnest` of one array per column:
// Prisma's createMany binds one parameter per value and spent ~70% of an import's wall time
// building those statements (20k papers: 88 s, 800 MB); with arrays a round of 250 papers is a
// handful of statements of a few parameters each. The column lists below must follow
// prisma/schema.prisma: the import tests fail when they drift.
import { Prisma } from '../../generated/prisma/client.ts';
import { aliasedAuthorIds } from '../authors/index.ts';
import { formatDay } from './normalize.ts';
import { earliest, OPTIONAL_FIELDS, type PaperRecord } from './records.ts';

export type Tx = Prisma.TransactionClient;

export interface WriteCounts {
  papersCreated: number;
  papersUpdated: number;
  papersUnchanged: number;
  authorsCreated: number;
  topicsCreated: number;
}

/** Papers handled per round of queries: bounds memory and keeps every statement's bind parameters few. */
const PAPERS_PER_ROUND = 250;
/** Papers written by one input before its first in-transaction ANALYZE. */
const ANALYZE_FROM = 2000;
/**
 * Author and topic ids remembered across rounds, at most: past this the cache starts afresh (ids
 * are looked up again), so memory stays bounded however many distinct authors an input has.
 */
const MAX_CACHED_IDS = 50_000;
/** Rows per multi-row INSERT (and names per lookup): bounds one statement's size. */
const ROWS_PER_INSERT = 10_000;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Rounds of `size` records as they come: only one round is held at a time. */
async function* rounds<T>(items: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  let round: T[] = [];
  for await (const item of items) {
    round.push(item);
    if (round.length === size) {
      yield round;
      round = [];
    }
  }
  if (round.length > 0) yield round;
}

/**
 * Papers an import touched, by id, for the live events sent once it has committed
 * (src/catalog/import/announce.ts). Ids only: a 100k-paper import holds 100k numbers, not rows.
 */
export interface PaperChanges {
  /** Papers that got a featured day: created with one, or stored without one until now. */
  readonly featured: number[];
  /** Stored papers this import changed (fields, byline or new topics). */
  readonly updated: number[];
}

export async function writeRecords(
  tx: Tx,
  records: AsyncIterable<PaperRecord> | Iterable<PaperRecord>,
  onProgress?: (papers: number) => void,
  changes?: PaperChanges,
): Promise<WriteCounts> {
  const counts: WriteCounts = { papersCreated: 0, papersUpdated: 0, papersUnchanged: 0, authorsCreated: 0, topicsCreated: 0 };
  const authorIds = new Map<string, number>();
  const topicIds = new Map<string, number>();
  let analyzedAt = 0;
  for await (const round of rounds(records, PAPERS_PER_ROUND)) {
    if (authorIds.size > MAX_CACHED_IDS) authorIds.clear();
    if (topicIds.size > MAX_CACHED_IDS) topicIds.clear();
    counts.authorsCreated += await ensureAuthors(tx, round, authorIds);
    counts.topicsCreated += await ensureTopics(tx, round, topicIds);
    await writeRound(tx, round, authorIds, topicIds, counts, changes);
    onProgress?.(round.length);
    // Autovacuum cannot see rows of a transaction still open, so during a big import the
    // planner keeps thinking the tables are as small as before, and the search triggers' lookups
    // by paper turn into scans that grow with every round (20k papers: 3 min instead of 30 s).
    // ANALYZE inside the transaction counts our own rows; done each time the papers written
    // double (2k, 4k, 8k...), it costs a few ANALYZEs per input.
    const written = counts.papersCreated + counts.papersUpdated;
    if (written >= ANALYZE_FROM && written >= 2 * analyzedAt) {
      await tx.$executeRaw`ANALYZE "Paper", "PaperAuthor", "Author"`;
      analyzedAt = written;
    }
  }
  return counts;
}

/** Ids of every author of `records` into `ids`; returns how many Author rows were created. */
async function ensureAuthors(tx: Tx, records: readonly PaperRecord[], ids: Map<string, number>): Promise<number> {
  const wanted = new Map<string, string>();
  for (const record of records) {
    for (const author of record.authors) {
      if (!ids.has(author.normalizedName) && !wanted.has(author.normalizedName)) wanted.set(author.normalizedName, author.name);
    }
  }
  if (wanted.size === 0) return 0;
  for (const keys of chunks([...wanted.keys()], ROWS_PER_INSERT)) {
    for (const row of await tx.author.findMany({ where: { normalizedName: { in: keys } }, select: { id: true, normalizedName: true } })) {
      ids.set(row.normalizedName, row.id);
    }
  }
  // Names of authors merged into another lead to the survivor (src/catalog/authors/aliases.ts): a
  // merge is not undone by the next import of the removed spelling.
  const unknown = [...wanted.keys()].filter((normalizedName) => !ids.has(normalizedName));
  for (const keys of chunks(unknown, ROWS_PER_INSERT)) {
    for (const [normalizedName, authorId] of await aliasedAuthorIds(tx, keys)) ids.set(normalizedName, authorId);
  }
  const missing = [...wanted].filter(([normalizedName]) => !ids.has(normalizedName));
  let created = 0;
  for (const rows of chunks(missing, ROWS_PER_INSERT)) {
    const inserted = await tx.$queryRaw<{ id: number; normalizedName: string }[]>`
      INSERT INTO "Author" ("normalizedName", "name")
      SELECT * FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::text[])
      ON CONFLICT ("normalizedName") DO NOTHING
      RETURNING "id", "normalizedName"`;
    for (const row of inserted) ids.set(row.normalizedName, row.id);
    created += inserted.length;
  }
  // Rows another import committed between our SELECT and INSERT were skipped: fetch them.
  const stillMissing = missing.map(([normalizedName]) => normalizedName).filter((n) => !ids.has(n));
  if (stillMissing.length > 0) {
    for (const row of await tx.author.findMany({ where: { normalizedName: { in: stillMissing } }, select: { id: true, normalizedName: true } })) {
      ids.set(row.normalizedName, row.id);
    }
  }
  return created;
}

/** Same as `ensureAuthors`, for topics by slug. */
async function ensureTopics(tx: Tx, records: readonly PaperRecord[], ids: Map<string, number>): Promise<number> {
  const wanted = new Map<string, string>();
  for (const record of records) {
    for (const topic of record.topics) {
      if (!ids.has(topic.slug) && !wanted.has(topic.slug)) wanted.set(topic.slug, topic.name);
    }
  }
  if (wanted.size === 0) return 0;
  for (const row of await tx.topic.findMany({ where: { slug: { in: [...wanted.keys()] } }, select: { id: true, slug: true } })) {
    ids.set(row.slug, row.id);
  }
  const missing = [...wanted].filter(([slug]) => !ids.has(slug));
  if (missing.length === 0) return 0;
  const inserted = await tx.$queryRaw<{ id: number; slug: string }[]>`
    INSERT INTO "Topic" ("slug", "name")
    SELECT * FROM unnest(${missing.map((m) => m[0])}::text[], ${missing.map((m) => m[1])}::text[])
    ON CONFLICT ("slug") DO NOTHING
    RETURNING "id", "slug"`;
  for (const row of inserted) ids.set(row.slug, row.id);
  const stillMissing = missing.map(([slug]) => slug).filter((s) => !ids.has(s));
  if (stillMissing.length > 0) {
    for (const row of await tx.topic.findMany({ where: { slug: { in: stillMissing } }, select: { id: true, slug: true } })) ids.set(row.slug, row.id);
  }
  return inserted.length;
}

/** The Paper columns an import writes, with their SQL types; `arxivId` and `updatedAt` aside. */
const COLUMNS = [
  ['title', 'text'],
  ['abstract', 'text'],
  ['publishedAt', 'timestamptz'],
  ['featuredOn', 'date'],
  ['githubRepo', 'text'],
  ['githubStars', 'int'],
  ['projectPage', 'text'],
  ['hfUpvotes', 'int'],
  ['hfComments', 'int'],
  ['hfSubmitterHandle', 'text'],
  ['organization', 'text'],
  ['aiSummary', 'text'],
  ['aiKeywords', 'jsonb'],
  ['arxivUpdatedAt', 'timestamptz'],
  ['primaryCategory', 'text'],
  ['doi', 'text'],
  ['journalRef', 'text'],
  ['arxivComment', 'text'],
  ['hfThumbnail', 'text'],
  ['hfMediaUrls', 'jsonb'],
  ['hfSubmitterOrganization', 'jsonb'],
  ['hfModels', 'jsonb'],
  ['hfDatasets', 'jsonb'],
  ['hfSpaces', 'jsonb'],
] as const satisfies readonly (readonly [keyof Prisma.PaperUncheckedCreateInput, string])[];

type Column = (typeof COLUMNS)[number][0];
/** One paper's values for COLUMNS; null where nothing is known. */
type PaperRow = Record<Column, unknown>;

const storedSelect = {
  id: true,
  arxivId: true,
  ...(Object.fromEntries(COLUMNS.map(([column]) => [column, true])) as Record<Column, true>),
  authors: { select: { position: true, authorId: true, hidden: true, affiliation: true }, orderBy: { position: 'asc' } },
  topics: { select: { topicId: true } },
} as const satisfies Prisma.PaperSelect;

type Stored = Prisma.PaperGetPayload<{ select: typeof storedSelect }>;

interface BylineRow {
  position: number;
  authorId: number;
  hidden: boolean;
  affiliation: string | null;
}

async function writeRound(
  tx: Tx,
  records: readonly PaperRecord[],
  authorIds: ReadonlyMap<string, number>,
  topicIds: ReadonlyMap<string, number>,
  counts: WriteCounts,
  changes: PaperChanges | undefined,
): Promise<void> {
  const stored = new Map<string, Stored>();
  const rows = await tx.paper.findMany({ where: { arxivId: { in: records.map((r) => r.arxivId) } }, select: storedSelect });
  for (const row of rows) stored.set(row.arxivId, row as Stored);

  const fresh: PaperRecord[] = [];
  const changed: Changed[] = [];
  const bylines: { paperId: number; rows: BylineRow[] }[] = [];
  /** Stored papers whose byline is rewritten: their old rows go first. */
  const replaced: number[] = [];
  const links: { paperId: number; topicId: number }[] = [];
  for (const record of records) {
    const old = stored.get(record.arxivId);
    if (!old) {
      fresh.push(record);
      continue;
    }
    const before = storedRow(old);
    const after = mergedRow(record, before);
    const fieldsChanged = COLUMNS.some(([column]) => !same(after[column], before[column]));
    const byline = record.authors.length > 0 ? bylineOf(record, authorIds, old.authors) : null;
    const bylineChanged = byline !== null && !sameByline(byline, old.authors);
    const linked = new Set(old.topics.map((t) => t.topicId));
    const newLinks = [...new Set(record.topics.map((t) => topicIds.get(t.slug)!))].filter((id) => !linked.has(id));
    if (!fieldsChanged && !bylineChanged && newLinks.length === 0) {
      counts.papersUnchanged++;
      continue;
    }
    counts.papersUpdated++;
    // A changed byline or a new topic is a change of the paper too: its updatedAt moves.
    changed.push({ id: old.id, before, row: after });
    changes?.updated.push(old.id);
    if (before.featuredOn === null && after.featuredOn !== null) changes?.featured.push(old.id);
    if (bylineChanged) {
      replaced.push(old.id);
      bylines.push({ paperId: old.id, rows: byline });
    }
    for (const topicId of newLinks) links.push({ paperId: old.id, topicId });
  }

  if (changed.length > 0) {
    // Title and abstract only where they changed: setting them at all fires the search trigger,
    // which a refresh of counts (upvotes, stars) has no reason to pay for.
    const [texts, others] = [COLUMNS.filter(([c]) => SEARCHED.has(c)), COLUMNS.filter(([c]) => !SEARCHED.has(c))];
    await updatePapers(tx, changed, others);
    await updatePapers(tx, changed.filter((c) => c.row.title !== c.before.title || c.row.abstract !== c.before.abstract), texts);
  }

  if (fresh.length > 0) {
    const created = await tx.$queryRaw<{ id: number; arxivId: string }[]>`
      INSERT INTO "Paper" ("arxivId", ${Prisma.raw(COLUMNS.map(([column]) => `"${column}"`).join(', '))}, "updatedAt")
      SELECT *, now() FROM unnest(${fresh.map((r) => r.arxivId)}::text[], ${columnArrays(fresh.map(recordRow))})
      RETURNING "id", "arxivId"`;
    const idOf = new Map(created.map((row) => [row.arxivId, row.id]));
    for (const record of fresh) {
      const paperId = idOf.get(record.arxivId)!;
      if (record.featuredOn) changes?.featured.push(paperId);
      bylines.push({ paperId, rows: bylineOf(record, authorIds, []) });
      for (const topicId of new Set(record.topics.map((t) => topicIds.get(t.slug)!))) links.push({ paperId, topicId });
    }
    counts.papersCreated += created.length;
  }

  if (replaced.length > 0) await tx.$executeRaw`DELETE FROM "PaperAuthor" WHERE "paperId" = ANY(${replaced}::int[])`;
  const authorRows = bylines.flatMap((b) => b.rows.map((row) => ({ paperId: b.paperId, ...row })));
  for (const batch of chunks(authorRows, ROWS_PER_INSERT)) {
    await tx.$executeRaw`
      INSERT INTO "PaperAuthor" ("paperId", "position", "authorId", "hidden", "affiliation")
      SELECT * FROM unnest(${batch.map((r) => r.paperId)}::int[], ${batch.map((r) => r.position)}::int[],
        ${batch.map((r) => r.authorId)}::int[], ${batch.map((r) => r.hidden)}::bool[], ${batch.map((r) => r.affiliation)}::text[])`;
  }
  for (const batch of chunks(links, ROWS_PER_INSERT)) {
    await tx.$executeRaw`
      INSERT INTO "PaperTopic" ("paperId", "topicId")
      SELECT * FROM unnest(${batch.map((l) => l.paperId)}::int[], ${batch.map((l) => l.topicId)}::int[])
      ON CONFLICT DO NOTHING`;
  }
}

interface Changed {
  id: number;
  before: PaperRow;
  row: PaperRow;
}

/** Columns the search triggers watch (catalog_paper_search: UPDATE OF title, abstract). */
const SEARCHED = new Set<Column>(['title', 'abstract']);

async function updatePapers(tx: Tx, changed: readonly Changed[], columns: readonly (typeof COLUMNS)[number][]): Promise<void> {
  if (changed.length === 0 || columns.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Paper" AS p
    SET ${Prisma.join(columns.map(([column]) => Prisma.raw(`"${column}" = x."${column}"`)))}, "updatedAt" = now()
    FROM unnest(${changed.map((c) => c.id)}::int[], ${columnArrays(changed.map((c) => c.row), columns)})
      AS x("id", ${Prisma.raw(columns.map(([column]) => `"${column}"`).join(', '))})
    WHERE p."id" = x."id"`;
}

/** One array parameter per column, cast to its SQL array type, comma-separated. */
function columnArrays(rows: readonly PaperRow[], columns: readonly (typeof COLUMNS)[number][] = COLUMNS): Prisma.Sql {
  return Prisma.join(
    columns.map(([column, type]) => {
      const values = rows.map((row) => toSql(row[column], type));
      return Prisma.sql`${values}::${Prisma.raw(`${type}[]`)}`;
    }),
  );
}

/** Values as the pg driver sends them inside an array: dates as ISO text, JSON as its text. */
function toSql(value: unknown, type: (typeof COLUMNS)[number][1]): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'timestamptz':
      return (value as Date).toISOString();
    case 'date':
      return formatDay(value as Date);
    case 'jsonb':
      return JSON.stringify(value);
    case 'text':
    case 'int':
      return value;
    default: {
      const unreachable: never = type;
      throw new Error(`Unhandled column type ${String(unreachable)}`);
    }
  }
}

/** A new paper's row: what the record says, null for the rest. */
function recordRow(record: PaperRecord): PaperRow {
  return Object.fromEntries(COLUMNS.map(([column]) => [column, record[column] ?? null])) as PaperRow;
}

function storedRow(old: Stored): PaperRow {
  return Object.fromEntries(COLUMNS.map(([column]) => [column, (old as Record<string, unknown>)[column] ?? null])) as PaperRow;
}

/** The stored row after this record, by the rules at the top of this file. */
function mergedRow(record: PaperRecord, before: PaperRow): PaperRow {
  const row: PaperRow = { ...before, title: record.title, abstract: record.abstract, publishedAt: record.publishedAt };
  row.featuredOn = earliest(before.featuredOn as Date | null, record.featuredOn) ?? null;
  for (const field of OPTIONAL_FIELDS) {
    if (record[field] !== undefined) row[field] = record[field];
  }
  return row;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (typeof a === 'object' && a !== null) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function bylineOf(record: PaperRecord, authorIds: ReadonlyMap<string, number>, old: readonly BylineRow[]): BylineRow[] {
  const before = new Map(old.map((row) => [row.authorId, row]));
  return record.authors.map((author, position) => {
    const authorId = authorIds.get(author.normalizedName)!;
    const previous = before.get(authorId);
    return {
      position,
      authorId,
      hidden: author.hidden ?? previous?.hidden ?? false,
      affiliation: author.affiliation ?? previous?.affiliation ?? null,
    };
  });
}

function sameByline(a: readonly BylineRow[], b: readonly BylineRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((row, i) => {
      const other = b[i]!;
      return row.position === other.position && row.authorId === other.authorId && row.hidden === other.hidden && row.affiliation === other.affiliation;
    })
  );
}
