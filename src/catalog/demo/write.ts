// Writes a CatalogPlan with a handful of large statements: each table is filled by
// `INSERT ... SELECT FROM unnest($1::text[], $2::int[], ...)`, one array parameter per column,
// tens of thousands of rows per statement (per-row INSERTs or createMany are far slower at
// 100k papers). Ids come from the tables' own sequences: rows go in `WITH ORDINALITY ...
// ORDER BY ord`, so on empty tables the same plan always gets the same ids.
//
// Everything here runs on the transaction's client it is given. Never query the outer client
// from inside: on the embedded PGlite database that deadlocks (see src/platform/db/embedded.ts).
import { normalizeAuthorName } from '../authors/index.ts';
import { DAY_MS, paperDetailsOf, paperVotes, type CatalogPlan } from './plan.ts';
import { assertEmpty, deferForBulkLoad, deriveAfterLoad, finishBulkLoad, reserveIds, restoreIndexesInParallel, seconds, type Sql } from './bulk.ts';

export type { Sql };

const ROWS_PER_STATEMENT = 50_000;
/** Papers carry ~1 kB of abstract each: smaller statements keep the parameter text moderate. */
const PAPERS_PER_STATEMENT = 5_000;

export interface Column {
  readonly name: string;
  readonly type: 'text' | 'int' | 'timestamptz' | 'date' | 'jsonb';
  /** SQL type the value is cast to on the way in (an enum). */
  readonly cast?: string;
}

/**
 * One array parameter per column, in order; `copies` fill more columns from one of them;
 * `computed` columns are SQL expressions over r (the columns and `inputs`, parameters that
 * follow the columns' and are not stored as such).
 */
function insertSql(
  table: string,
  columns: readonly Column[],
  suffix = '',
  copies: Record<string, string> = {},
  computed: Record<string, string> = {},
  inputs: readonly Column[] = [],
): string {
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const params = [...columns, ...inputs].map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const select = columns.map((c) => (c.cast ? `r."${c.name}"::${c.cast}` : `r."${c.name}"`));
  const targets = [names, ...Object.keys(copies).map((name) => `"${name}"`), ...Object.keys(computed).map((name) => `"${name}"`)].join(', ');
  const values = [...select, ...Object.values(copies).map((source) => `r."${source}"`), ...Object.values(computed)].join(', ');
  const aliases = [names, ...inputs.map((c) => `"${c.name}"`)].join(', ');
  return `INSERT INTO "${table}" (${targets}) SELECT ${values} FROM unnest(${params}) WITH ORDINALITY AS r(${aliases}, ord) ORDER BY ord ${suffix}`;
}

/**
 * catalog_paper_search_vector (search_and_trending migration) as an expression over the bulk
 * INSERT's row, whose "byline" is the names in byline order joined by spaces. Danger: a copy of
 * the migration's rule; test/demo.test.ts compares the Paper rows, search documents included,
 * with those the trigger writes row by row, and fails when the two drift apart.
 */
const PAPER_SEARCH_VECTOR = `setweight(to_tsvector('english', coalesce(r.title, '')), 'A')
  || setweight(to_tsvector('english', coalesce(r.byline, '')), 'B')
  || setweight(to_tsvector('english', coalesce(r.abstract, '')), 'C')`;

const iso = (ms: number) => new Date(ms).toISOString();
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Inserts rows that have a unique key and returns the id of every key. A key already in the
 * table (adding a second demo catalog with --force) keeps its row: the same author, user or
 * topic is reused rather than duplicated.
 */
export async function insertKeyed(sql: Sql, table: string, key: string, columns: readonly Column[], values: readonly unknown[][]): Promise<Map<string, number>> {
  const keyColumn = columns.findIndex((c) => c.name === key);
  const ids = new Map<string, number>();
  const rows = values[0]?.length ?? 0;
  for (let from = 0; from < rows; from += ROWS_PER_STATEMENT) {
    const chunk = values.map((column) => column.slice(from, from + ROWS_PER_STATEMENT));
    const inserted = await sql.$queryRawUnsafe<{ id: number; key: string }[]>(
      insertSql(table, columns, `ON CONFLICT ("${key}") DO NOTHING RETURNING id, "${key}" AS key`),
      ...chunk,
    );
    for (const row of inserted) ids.set(row.key, row.id);
    const missing = (chunk[keyColumn] as string[]).filter((k) => !ids.has(k));
    if (missing.length > 0) {
      const existing = await sql.$queryRawUnsafe<{ id: number; key: string }[]>(
        `SELECT id, "${key}" AS key FROM "${table}" WHERE "${key}" = ANY($1::text[])`,
        missing,
      );
      for (const row of existing) ids.set(row.key, row.id);
    }
  }
  return ids;
}

export async function insertRows(sql: Sql, table: string, columns: readonly Column[], values: readonly unknown[][]): Promise<void> {
  const rows = values[0]?.length ?? 0;
  for (let from = 0; from < rows; from += ROWS_PER_STATEMENT) {
    await sql.$executeRawUnsafe(
      insertSql(table, columns),
      ...values.map((column) => column.slice(from, from + ROWS_PER_STATEMENT)),
    );
  }
}

function idsOf(ids: Map<string, number>, keys: readonly string[], what: string): Int32Array {
  return Int32Array.from(keys, (key) => {
    const id = ids.get(key);
    if (id === undefined) throw new Error(`Demo ${what} "${key}" was neither inserted nor found`);
    return id;
  });
}

/** The Paper columns the demo fills; updatedAt is copied from createdAt. */
const PAPER_COLUMNS: readonly Column[] = [
  { name: 'arxivId', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'abstract', type: 'text' },
  { name: 'publishedAt', type: 'timestamptz' },
  { name: 'featuredOn', type: 'date' },
  { name: 'githubRepo', type: 'text' },
  { name: 'githubStars', type: 'int' },
  { name: 'projectPage', type: 'text' },
  { name: 'upvoteCount', type: 'int' },
  { name: 'submittedById', type: 'int' },
  { name: 'createdAt', type: 'timestamptz' },
  { name: 'hfUpvotes', type: 'int' },
  { name: 'hfComments', type: 'int' },
  { name: 'hfSubmitterHandle', type: 'text' },
  { name: 'organization', type: 'text' },
  { name: 'aiSummary', type: 'text' },
  { name: 'aiKeywords', type: 'jsonb' },
  { name: 'arxivUpdatedAt', type: 'timestamptz' },
  { name: 'primaryCategory', type: 'text' },
  { name: 'doi', type: 'text' },
  { name: 'journalRef', type: 'text' },
  { name: 'arxivComment', type: 'text' },
];

export interface WriteCounts {
  papers: number;
  votes: number;
}

/** The tables the demo writes, analysed at the end (see writeCatalog). */
const TABLES = ['Topic', 'User', 'Author', 'Paper', 'PaperAuthor', 'PaperTopic', 'Vote'];

/**
 * Inserts rows that would have drawn their ids from the table's sequence in this order, with
 * those ids given explicitly (bulk mode: the unique keys that insertKeyed relies on are set aside).
 */
async function insertNumbered(sql: Sql, table: string, columns: readonly Column[], values: readonly unknown[][]): Promise<Int32Array> {
  const count = values[0]?.length ?? 0;
  const first = await reserveIds(sql, table, count);
  const ids = Int32Array.from({ length: count }, (_, i) => first + i);
  await insertRows(sql, table, [{ name: 'id', type: 'int' }, ...columns], [Array.from(ids), ...values]);
  return ids;
}

/** The ids the rows of topics, users and authors got, by index in the plan. */
interface WrittenKeys {
  readonly topicIds: Int32Array;
  readonly userIds: Int32Array;
  readonly authorIds: Int32Array;
}

/** How writeCatalogInParallel's statements and transactions run. */
export interface ParallelDb {
  /** `fn` in a transaction of its own, on a connection of its own while it runs. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

/**
 * Writes the plan. `bulk` (empty tables only, see bulk.ts): indexes, foreign keys and the
 * derived-data triggers set aside during the load and rebuilt after it, for the same rows.
 */
export async function writeCatalog(sql: Sql, plan: CatalogPlan, progress: (message: string) => void, { bulk = false, termVectors = true } = {}): Promise<WriteCounts> {
  await perPaperLookups(sql);
  let deferred: Awaited<ReturnType<typeof deferForBulkLoad>> | null = null;
  if (bulk) {
    await assertEmpty(sql);
    deferred = await deferForBulkLoad(sql);
    progress(`bulk load: ${deferred.indexes.length} indexes, ${deferred.constraints.length} constraints and ${deferred.triggers.length} triggers set aside`);
  }
  const keys = await writeKeys(sql, plan, progress, bulk);

  const p = plan.papers;
  let votes = 0;
  for (let from = 0; from < p.count; from += PAPERS_PER_STATEMENT) {
    const to = Math.min(p.count, from + PAPERS_PER_STATEMENT);
    // Bulk: ids drawn up front (see bulk.ts).
    const idBase = bulk ? (await reserveIds(sql, 'Paper', to - from)) - from : null;
    votes += await writePapers(sql, plan, keys, from, to, idBase);
    progress(`${to}/${p.count} papers written`);
  }
  if (deferred) await finishBulkLoad(sql, deferred, progress, { termVectors });
  // Fresh statistics for the app's first queries: autovacuum would take a while to get to
  // them, and the embedded database (PGlite, single-user) never runs it at all. ANALYZE in a
  // transaction counts the transaction's own new rows.
  await sql.$executeRawUnsafe(`ANALYZE ${TABLES.map((t) => `"${t}"`).join(', ')}`);
  progress('statistics updated');
  return { papers: p.count, votes };
}

/**
 * The bench's load of a large catalog into a fresh database: bulk mode (bulk.ts), with the
 * papers written by `connections` transactions at once and the indexes and keys built
 * `connections` at a time afterwards, so that PostgreSQL's work uses every core. The rows,
 * ids included, are those of writeCatalog (test/demo.test.ts compares them).
 *
 * Danger: NOT ATOMIC. Each batch commits on its own, and until the end the tables have no
 * indexes, no foreign keys and their derived-data triggers disabled, committed: a failure
 * leaves the database in that state. Only for a database made for it and dropped when the load
 * did not finish (bench/catalog.ts writes its marker last and generates again without one).
 */
export async function writeCatalogInParallel(
  db: ParallelDb,
  plan: CatalogPlan,
  progress: (message: string) => void,
  { connections = 2, termVectors = true, papersPerBatch = PAPERS_PER_STATEMENT }: { connections?: number; termVectors?: boolean; papersPerBatch?: number | undefined } = {},
): Promise<WriteCounts> {
  const p = plan.papers;
  // No perPaperLookups: with every trigger off, nothing looks anything up per paper.
  const { deferred, keys, idBase } = await db.transaction(async (sql) => {
    await assertEmpty(sql);
    const deferred = await deferForBulkLoad(sql);
    progress(`bulk load on ${connections} connections: ${deferred.indexes.length} indexes, ${deferred.constraints.length} constraints and ${deferred.triggers.length} triggers set aside`);
    const keys = await writeKeys(sql, plan, progress, true, true);
    // Every paper's id drawn at once: the ids batch after batch would have drawn.
    return { deferred, keys, idBase: await reserveIds(sql, 'Paper', p.count) };
  });

  // The authors, then the papers, in batches that the connections take in turn.
  const authors = plan.authorNames.length;
  const jobs: { authors?: [number, number]; papers?: [number, number] }[] = [];
  for (let from = 0; from < authors; from += ROWS_PER_STATEMENT) jobs.push({ authors: [from, Math.min(authors, from + ROWS_PER_STATEMENT)] });
  for (let from = 0; from < p.count; from += papersPerBatch) jobs.push({ papers: [from, Math.min(p.count, from + papersPerBatch)] });
  let votes = 0;
  let next = 0;
  let authorsDone = 0;
  let papersDone = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        if (job.authors) {
          const [from, to] = job.authors;
          await db.transaction((sql) => writeAuthors(sql, plan, keys, from, to));
          authorsDone += to - from;
          if (authorsDone === authors) progress(`${authors} authors written`);
        } else {
          const [from, to] = job.papers!;
          const written = await db.transaction((sql) => writePapers(sql, plan, keys, from, to, idBase));
          // Not `votes += await ...`: that reads votes before the other connection's batches add theirs.
          votes += written;
          papersDone += to - from;
          progress(`${papersDone}/${p.count} papers written`);
        }
      }
    }),
  );

  // The derived rows before the indexes and keys: 1M citation-count rows took 20 s with their
  // table's index and foreign key checked row by row, and their sort and join are one each after.
  await db.transaction(async (sql) => {
    await deriveAfterLoad(sql, deferred, progress, { termVectors });
  });
  let started = performance.now();
  await restoreIndexesInParallel(db, deferred, connections);
  progress(`${deferred.indexes.length} indexes and ${deferred.constraints.length} constraints built in ${seconds(started)} on ${connections} connections`);
  started = performance.now();
  await Promise.all(
    partition(TABLES, connections).map((tables) => db.transaction((sql) => sql.$executeRawUnsafe(`ANALYZE ${tables.map((t) => `"${t}"`).join(', ')}`))),
  );
  progress(`statistics updated in ${seconds(started)}`);
  return { papers: p.count, votes };
}

/** The items dealt round-robin into `n` lists (the empty ones left out). */
function partition<T>(items: readonly T[], n: number): T[][] {
  const lists = Array.from({ length: n }, (_, k) => items.filter((_, i) => i % n === k));
  return lists.filter((list) => list.length > 0);
}

/**
 * Row by row, the byline trigger (search_and_trending migration) recomputes each new paper's
 * search document with a per-paper lookup of its authors. On tables just filled in this
 * transaction there are no statistics yet, and the planner hashes the whole Author table for
 * every paper: 10k papers took 80 s instead of 8. Per-paper lookups want index nested loops;
 * SET LOCAL ends with the transaction. (Bulk mode writes the documents with the rows.)
 */
async function perPaperLookups(sql: Sql): Promise<void> {
  await sql.$executeRawUnsafe('SET LOCAL enable_hashjoin = off');
  await sql.$executeRawUnsafe('SET LOCAL enable_mergejoin = off');
}

/**
 * Topics, users and authors: the rows papers point at. `authorsLater` (bulk mode only): the
 * authors' ids are drawn but their rows left to writeAuthors, which can run beside the papers
 * (their search documents come with the rows, see PAPER_SEARCH_VECTOR, and read no Author row).
 */
async function writeKeys(sql: Sql, plan: CatalogPlan, progress: (message: string) => void, bulk: boolean, authorsLater = false): Promise<WrittenKeys> {
  // Topics: roots, then children pointing at them.
  const topicIds = new Int32Array(plan.topics.length);
  for (const level of [0, 1]) {
    const members = plan.topics.map((t, i) => ({ t, i })).filter(({ t }) => (t.parent < 0) === (level === 0));
    const columns: Column[] = [{ name: 'slug', type: 'text' }, { name: 'name', type: 'text' }, { name: 'parentId', type: 'int' }, { name: 'createdAt', type: 'timestamptz' }];
    const values = [
      members.map(({ t }) => t.slug),
      members.map(({ t }) => t.name),
      members.map(({ t }) => (t.parent < 0 ? null : topicIds[t.parent]!)),
      members.map(({ t }) => iso(t.createdAt)),
    ];
    if (bulk) {
      const ids = await insertNumbered(sql, 'Topic', columns, values);
      members.forEach(({ i }, k) => (topicIds[i] = ids[k]!));
    } else {
      const ids = await insertKeyed(sql, 'Topic', 'slug', columns, values);
      for (const { t, i } of members) topicIds[i] = ids.get(t.slug)!;
    }
  }

  const handles = plan.users.map((u) => u.handle);
  const userColumns: Column[] = [{ name: 'handle', type: 'text' }, { name: 'displayName', type: 'text' }, { name: 'role', type: 'text', cast: '"Role"' }, { name: 'createdAt', type: 'timestamptz' }];
  const userValues = [handles, plan.users.map((u) => u.displayName), plan.users.map((u) => u.role), plan.users.map((u) => iso(u.createdAt))];
  const userIds = bulk
    ? await insertNumbered(sql, 'User', userColumns, userValues)
    : idsOf(await insertKeyed(sql, 'User', 'handle', userColumns, userValues), handles, 'user');
  progress(`${plan.topics.length} topics and ${plan.users.length} users written`);

  if (bulk && authorsLater) {
    const first = await reserveIds(sql, 'Author', plan.authorNames.length);
    return { topicIds, userIds, authorIds: Int32Array.from(plan.authorNames, (_, i) => first + i) };
  }
  const normalized = plan.authorNames.map(normalizeAuthorName);
  const authorValues = [plan.authorNames as string[], normalized, Array.from(plan.authorCreatedAt, iso)];
  const authorIds = bulk
    ? await insertNumbered(sql, 'Author', AUTHOR_COLUMNS, authorValues)
    : idsOf(await insertKeyed(sql, 'Author', 'normalizedName', AUTHOR_COLUMNS, authorValues), normalized, 'author');
  progress(`${plan.authorNames.length} authors written`);

  return { topicIds, userIds, authorIds };
}

const AUTHOR_COLUMNS: readonly Column[] = [{ name: 'name', type: 'text' }, { name: 'normalizedName', type: 'text' }, { name: 'createdAt', type: 'timestamptz' }];

/** Bulk mode: the Author rows from..to-1 of the plan, with the ids writeKeys drew for them. */
async function writeAuthors(sql: Sql, plan: CatalogPlan, keys: WrittenKeys, from: number, to: number): Promise<void> {
  const names = plan.authorNames.slice(from, to) as string[];
  await insertRows(sql, 'Author', [{ name: 'id', type: 'int' }, ...AUTHOR_COLUMNS], [
    Array.from(keys.authorIds.subarray(from, to)),
    names,
    names.map(normalizeAuthorName),
    Array.from(plan.authorCreatedAt.subarray(from, to), iso),
  ]);
}

/** Yields to the event loop: lets another connection's next statement go out meanwhile. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Papers from..to-1 with their bylines, topics and votes; returns the votes written. idBase:
 * bulk mode, paper i gets id idBase + i and its row carries its search document
 * (PAPER_SEARCH_VECTOR); null: the ids the Paper rows draw as they go in, and the triggers
 * write the search documents.
 */
async function writePapers(sql: Sql, plan: CatalogPlan, keys: WrittenKeys, from: number, to: number, idBase: number | null): Promise<number> {
  const p = plan.papers;
  const { topicIds, userIds, authorIds } = keys;
  const bulk = idBase !== null;
  const columns: unknown[][] = PAPER_COLUMNS.map(() => []);
  const affiliations: (string | null)[][] = [];
  for (let i = from; i < to; i++) {
    if ((i - from) % 500 === 499) await turn();
    const d = paperDetailsOf(plan, i);
    const submitter = p.submitter[i]!;
    const row: Record<string, unknown> = {
      arxivId: p.arxivId[i],
      title: d.title,
      abstract: d.abstract,
      publishedAt: iso(p.publishedAt[i]!),
      featuredOn: isoDay(p.featuredDay[i]!),
      githubRepo: d.githubRepo,
      githubStars: p.hasCode[i] ? p.githubStars[i] : null,
      projectPage: d.projectPage,
      upvoteCount: p.votes[i], // exactly the votes written below for this paper
      submittedById: submitter >= 0 ? userIds[submitter] : null,
      createdAt: iso(p.createdAt[i]!),
      hfUpvotes: d.hfUpvotes,
      hfComments: d.hfComments,
      hfSubmitterHandle: d.hfSubmitterHandle,
      organization: d.organization,
      aiSummary: d.aiSummary,
      aiKeywords: d.aiKeywords && JSON.stringify(d.aiKeywords),
      arxivUpdatedAt: d.arxivUpdatedAt === null ? null : iso(d.arxivUpdatedAt),
      primaryCategory: d.primaryCategory,
      doi: d.doi,
      journalRef: d.journalRef,
      arxivComment: d.arxivComment,
    };
    PAPER_COLUMNS.forEach((column, c) => columns[c]!.push(row[column.name]));
    affiliations.push(d.affiliations);
  }
  let paperIdOf: (i: number) => number;
  if (idBase !== null) {
    paperIdOf = (i) => idBase + i;
  } else {
    const inserted = await sql.$queryRawUnsafe<{ id: number; arxivId: string }[]>(
      insertSql('Paper', PAPER_COLUMNS, 'RETURNING id, "arxivId"', { updatedAt: 'createdAt' }),
      ...columns,
    );
    const paperIds = new Map(inserted.map((r) => [r.arxivId, r.id]));
    paperIdOf = (i) => paperIds.get(p.arxivId[i]!)!;
  }

  const bylines: unknown[][] = [[], [], [], []];
  const tags: number[][] = [[], []];
  const voteRows: unknown[][] = [[], [], []];
  for (let i = from; i < to; i++) {
    const paperId = paperIdOf(i);
    for (let s = p.authorStart[i]!; s < p.authorStart[i + 1]!; s++) {
      bylines[0]!.push(paperId);
      bylines[1]!.push(s - p.authorStart[i]!);
      bylines[2]!.push(authorIds[p.authors[s]!]!);
      bylines[3]!.push(affiliations[i - from]![s - p.authorStart[i]!]);
    }
    for (let s = p.topicStart[i]!; s < p.topicStart[i + 1]!; s++) {
      tags[0]!.push(paperId);
      tags[1]!.push(topicIds[p.topics[s]!]!);
    }
    const cast = paperVotes(plan, i);
    if (cast.users.length !== p.votes[i]) throw new Error(`Paper ${p.arxivId[i]}: planned ${p.votes[i]} votes, drew ${cast.users.length}`);
    cast.users.forEach((user, k) => {
      voteRows[0]!.push(userIds[user]);
      voteRows[1]!.push(paperId);
      voteRows[2]!.push(iso(cast.times[k]!));
    });
  }
  await insertRows(
    sql,
    'PaperAuthor',
    [{ name: 'paperId', type: 'int' }, { name: 'position', type: 'int' }, { name: 'authorId', type: 'int' }, { name: 'affiliation', type: 'text' }],
    bylines,
  );
  await insertRows(sql, 'PaperTopic', [{ name: 'paperId', type: 'int' }, { name: 'topicId', type: 'int' }], tags);
  if (bulk) {
    // The search document with the row (its trigger is off, see bulk.ts): the byline as
    // catalog_paper_search_vector reads it, names in byline order separated by spaces.
    const bylineText = Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const names: string[] = [];
      for (let s = p.authorStart[i]!; s < p.authorStart[i + 1]!; s++) names.push(plan.authorNames[p.authors[s]!]!);
      return names.join(' ');
    });
    await sql.$executeRawUnsafe(
      insertSql('Paper', [{ name: 'id', type: 'int' }, ...PAPER_COLUMNS, { name: 'updatedAt', type: 'timestamptz' }], '', {}, { searchVector: PAPER_SEARCH_VECTOR }, [
        { name: 'byline', type: 'text' },
      ]),
      Array.from({ length: to - from }, (_, k) => paperIdOf(from + k)),
      ...columns,
      columns[PAPER_COLUMNS.findIndex((c) => c.name === 'createdAt')]!,
      bylineText,
    );
  }
  await insertRows(sql, 'Vote', [{ name: 'userId', type: 'int' }, { name: 'paperId', type: 'int' }, { name: 'createdAt', type: 'timestamptz' }], voteRows);
  return voteRows[0]!.length;
}
