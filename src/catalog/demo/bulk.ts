// Bulk mode of the demo generator (DemoOptions.bulk): a catalog of a million papers into empty
// tables in minutes rather than hours. Row by row, every paper batch pays for its indexes, its
// foreign-key checks and the derived-data triggers (search document, term vectors, citation
// counts) as it goes; here they are set aside for the load and the same work is done once, in
// bulk, before the transaction commits. The rows written are identical (test/demo.test.ts
// compares the two modes table by table, derived tables included).
//
//   indexes      every index of a loaded table except the primary keys that lookups during the
//                load need (below) is dropped, and created again from its own definition
//                (pg_get_indexdef / pg_get_constraintdef) after the load: one sort per index
//                instead of millions of random B-tree inserts
//   foreign keys dropped and added again: one validating join each instead of a check per row
//   triggers     the INSERT triggers that derive data are disabled, and what they derive is
//                computed after the load by the same SQL functions they call, or written with
//                the rows (REPLACED_TRIGGERS): the search document goes into each paper's INSERT,
//                from the byline names the generator holds (PAPER_SEARCH_VECTOR in write.ts),
//                rather than through catalog_paper_search_vector's per-paper lookup and function
//                call, which cost as much as parsing the texts
//
// Danger: a trigger this file does not know would silently stop deriving its data in bulk mode,
// so an unknown INSERT trigger on a loaded table stops the load (teach REPLACED_TRIGGERS what it
// does first). Everything happens in the generator's one transaction: a failure leaves the
// schema as it was.
import type { Db } from '../../platform/db/client.ts';

/** What the demo's writes run on: a transaction's client (write.ts), or a client for the bench. */
export type Sql = Pick<Db, '$executeRawUnsafe' | '$queryRawUnsafe'>;

/** The tables the demo generator inserts into. */
export const LOADED_TABLES = ['Topic', 'User', 'Author', 'Paper', 'PaperAuthor', 'PaperTopic', 'Vote'] as const;
/** ...and those the replaced triggers fill: their indexes and keys are deferred too. */
const DERIVED_TABLES = ['PaperTerm', 'PaperCitationCount'] as const;

/** Left on during the load: none since the search document is written with each paper. */
const KEPT_TRIGGERS = new Set<string>();

/** INSERT triggers set aside for the load, and what stands in for each (finishBulkLoad). */
const REPLACED_TRIGGERS: Record<string, string> = {
  catalog_paper_search: 'the search document is computed in the paper INSERT (write.ts, PAPER_SEARCH_VECTOR)',
  catalog_byline_search_insert: 'the same: the INSERT has the byline',
  catalog_related_paper_insert: 'catalog_related_refresh over every paper, in batches, after the load',
  catalog_related_topics_insert: 'the same refresh (it reads the topics too)',
  paper_citation_count_inserted: 'one INSERT ... SELECT of every paper into PaperCitationCount',
};

/**
 * Primary keys kept during the load: read by the statements that stand in for the triggers
 * (PaperTerm, PaperCitationCount), or filled in key order, where a B-tree insert is an append
 * (Paper, Topic, User, Author, PaperAuthor, PaperTopic; on two connections, two appends at two
 * places). Vote's is dropped: votes arrive by paper, and its key starts with the user.
 */
const KEPT_PRIMARY_KEYS = new Set(['Topic', 'User', 'Author', 'Paper', 'PaperAuthor', 'PaperTopic', 'PaperTerm', 'PaperCitationCount']);

/** Papers per catalog_related_refresh call after the load. */
const REFRESH_BATCH = 20_000;

/** How the schema looked before the load: put back by finishBulkLoad. */
export interface DeferredSchema {
  /** CREATE INDEX statements of the dropped indexes. */
  readonly indexes: string[];
  /** ALTER TABLE ... ADD CONSTRAINT statements: keys first, then foreign keys. */
  readonly constraints: string[];
  readonly triggers: { table: string; name: string }[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Refuses a catalog with rows: ids are assigned by position, and nothing may be merged with. */
export async function assertEmpty(sql: Sql): Promise<void> {
  for (const table of [...LOADED_TABLES, ...DERIVED_TABLES]) {
    const rows = await sql.$queryRawUnsafe<{ any: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM ${quote(table)}) AS any`);
    if (rows[0]!.any) throw new Error(`Bulk mode writes into empty tables only; "${table}" has rows`);
  }
}

/** Drops what the load should not maintain row by row, and says how to put it back. */
export async function deferForBulkLoad(sql: Sql): Promise<DeferredSchema> {
  const tables = [...LOADED_TABLES, ...DERIVED_TABLES];
  const triggers = await sql.$queryRawUnsafe<{ table: string; name: string }[]>(
    `SELECT c.relname::text AS table, t.tgname::text AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 4) <> 0
       AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
     ORDER BY c.relname, t.tgname`,
    tables,
  );
  const unknown = triggers.filter((t) => !KEPT_TRIGGERS.has(t.name) && !(t.name in REPLACED_TRIGGERS));
  if (unknown.length) {
    throw new Error(
      `Bulk mode does not know the INSERT trigger(s) ${unknown.map((t) => `${t.name} on "${t.table}"`).join(', ')}: ` +
        'add what they derive to REPLACED_TRIGGERS in src/catalog/demo/bulk.ts, or generate without bulk',
    );
  }
  const replaced = triggers.filter((t) => t.name in REPLACED_TRIGGERS);

  const schema = await deferIndexes(sql, tables);
  for (const t of replaced) await sql.$executeRawUnsafe(`ALTER TABLE ${quote(t.table)} DISABLE TRIGGER ${quote(t.name)}`);
  return { ...schema, triggers: replaced };
}

/**
 * Drops the indexes, unique constraints and foreign keys of these tables, and the primary keys
 * of those not in KEPT_PRIMARY_KEYS; returns the statements that build them again (restoreIndexes).
 */
export async function deferIndexes(sql: Sql, tables: readonly string[]): Promise<Omit<DeferredSchema, 'triggers'>> {
  // Foreign keys of the loaded tables, and keys or unique constraints not kept.
  const constraints = await sql.$queryRawUnsafe<{ table: string; name: string; type: string; definition: string }[]>(
    `SELECT c.relname::text AS table, k.conname::text AS name, k.contype::text AS type, pg_get_constraintdef(k.oid) AS definition
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[]) AND k.contype IN ('f', 'p', 'u')
     ORDER BY k.contype = 'f', c.relname, k.conname`,
    tables,
  );
  const droppedConstraints = constraints.filter((k) => k.type === 'f' || k.type === 'u' || !KEPT_PRIMARY_KEYS.has(k.table));
  // Indexes that back no constraint (those go with their constraint).
  const indexes = await sql.$queryRawUnsafe<{ name: string; definition: string }[]>(
    `SELECT i.relname::text AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid)
     ORDER BY c.relname, i.relname`,
    tables,
  );

  for (const k of [...droppedConstraints].reverse()) await sql.$executeRawUnsafe(`ALTER TABLE ${quote(k.table)} DROP CONSTRAINT ${quote(k.name)}`);
  for (const index of indexes) await sql.$executeRawUnsafe(`DROP INDEX ${quote(index.name)}`);
  return {
    indexes: indexes.map((index) => index.definition),
    constraints: droppedConstraints.map((k) => `ALTER TABLE ${quote(k.table)} ADD CONSTRAINT ${quote(k.name)} ${k.definition}`),
  };
}

/**
 * Builds the dropped indexes and constraints again, turns the triggers back on, and derives
 * what they would have derived: search documents are already exact; citation counts and term
 * vectors are written here, by the statements the triggers run.
 */
export async function finishBulkLoad(sql: Sql, deferred: DeferredSchema, progress: (message: string) => void, { termVectors = true } = {}): Promise<void> {
  const started = performance.now();
  // One sort per index; the setting ends with the transaction.
  await sql.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '512MB'`);
  await restoreIndexes(sql, deferred);
  progress(`${deferred.indexes.length} indexes and ${deferred.constraints.length} constraints built in ${seconds(started)}`);
  await deriveAfterLoad(sql, deferred, progress, { termVectors });
}

/**
 * Turns the replaced triggers back on and derives what they would have derived: search
 * documents are already exact; citation counts and term vectors are written here, by the
 * statements the triggers run.
 */
export async function deriveAfterLoad(sql: Sql, deferred: DeferredSchema, progress: (message: string) => void, { termVectors = true } = {}): Promise<void> {
  for (const t of deferred.triggers) await sql.$executeRawUnsafe(`ALTER TABLE ${quote(t.table)} ENABLE TRIGGER ${quote(t.name)}`);
  const started = performance.now();
  const names = new Set(deferred.triggers.map((t) => t.name));
  if (names.has('paper_citation_count_inserted')) {
    await sql.$executeRawUnsafe(`INSERT INTO "PaperCitationCount" ("paperId", "inCatalog") SELECT id, 0 FROM "Paper" ON CONFLICT ("paperId") DO NOTHING`);
  }
  if (termVectors && (names.has('catalog_related_paper_insert') || names.has('catalog_related_topics_insert'))) {
    // Statistics first, and every join method: the refresh reads batches of 20,000 papers
    // (writeCatalog turned hash and merge joins off for the per-paper lookups of the load).
    await sql.$executeRawUnsafe(`ANALYZE "Paper", "PaperTopic"`);
    await sql.$executeRawUnsafe('SET LOCAL enable_hashjoin = on');
    await sql.$executeRawUnsafe('SET LOCAL enable_mergejoin = on');
    const [range] = await sql.$queryRawUnsafe<{ min: number | null; max: number | null }[]>(`SELECT min(id) AS min, max(id) AS max FROM "Paper"`);
    for (let from = range!.min ?? 1; range!.max !== null && from <= range!.max; from += REFRESH_BATCH) {
      await sql.$executeRawUnsafe(
        `SELECT catalog_related_refresh(ARRAY(SELECT id FROM "Paper" WHERE id BETWEEN $1 AND $2 ORDER BY id))`,
        from,
        Math.min(range!.max, from + REFRESH_BATCH - 1),
      );
    }
  }
  progress(`derived data (citation counts, term vectors) written in ${seconds(started)}`);
}

/** Builds what deferIndexes dropped: keys and indexes first, then the foreign keys that need them. */
export async function restoreIndexes(sql: Sql, deferred: Omit<DeferredSchema, 'triggers'>): Promise<void> {
  for (const statement of [...deferred.constraints.filter((c) => !/ FOREIGN KEY /.test(c)), ...deferred.indexes]) {
    await sql.$executeRawUnsafe(statement);
  }
  for (const statement of deferred.constraints.filter((c) => / FOREIGN KEY /.test(c))) await sql.$executeRawUnsafe(statement);
}

/**
 * What restoreIndexes does, `connections` statements at a time, each in a transaction of its
 * own (after a load that committed: writeCatalogInParallel). Keys and indexes first, then the
 * foreign keys. Statements on one table wait for each other's locks and never deadlock: each
 * locks one table, or (validating a foreign key) its table and, in a mode every other
 * statement here takes too, the one it references.
 */
export async function restoreIndexesInParallel(
  db: { transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> },
  deferred: Omit<DeferredSchema, 'triggers'>,
  connections: number,
): Promise<void> {
  const run = async (statements: readonly string[]) => {
    // Parallel workers help a statement that runs alone; beside others they only share the cores.
    const alone = statements.length < connections;
    let next = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < statements.length) {
          const statement = statements[next++]!;
          await db.transaction(async (sql) => {
            await sql.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '${Math.max(64, Math.floor(1024 / connections))}MB'`);
            if (!alone) await sql.$executeRawUnsafe('SET LOCAL max_parallel_maintenance_workers = 0');
            await sql.$executeRawUnsafe(statement);
          });
        }
      }),
    );
  };
  await run(byTableInTurn([...deferred.constraints.filter((c) => !/ FOREIGN KEY /.test(c)), ...deferred.indexes]));
  // Foreign keys added NOT VALID (at once: no rows are read), then validated side by side:
  // VALIDATE locks the referenced table in ROW SHARE mode, which lets the other validations
  // run, where ADD CONSTRAINT's SHARE ROW EXCLUSIVE made every key to Paper wait for the others.
  const foreignKeys = deferred.constraints.filter((c) => / FOREIGN KEY /.test(c));
  const validations: string[] = [];
  await db.transaction(async (sql) => {
    for (const statement of foreignKeys) {
      const [, table, name] = /^ALTER TABLE ("(?:[^"]|"")+") ADD CONSTRAINT ("(?:[^"]|"")+") /.exec(statement) ?? [];
      if (!table || !name) throw new Error(`restoreIndexesInParallel: expected ALTER TABLE "t" ADD CONSTRAINT "c" ...; got ${statement}`);
      await sql.$executeRawUnsafe(`${statement} NOT VALID`);
      validations.push(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`);
    }
  });
  await run(byTableInTurn(validations));
}

/**
 * The statements reordered so that those on one table are as far apart as they can be: a
 * table's foreign keys (and its primary key beside its indexes) lock each other out, and two
 * connections working on one table in turn would leave one of them waiting (1M papers:
 * PaperAuthor's two foreign keys one after the other).
 */
function byTableInTurn(statements: readonly string[]): string[] {
  const tables = new Map<string, string[]>();
  for (const statement of statements) {
    const table = / ON (?:\w+\.)?("(?:[^"]|"")+"|\w+)/.exec(statement)?.[1] ?? /^ALTER TABLE ("(?:[^"]|"")+"|\w+)/.exec(statement)?.[1] ?? statement;
    tables.set(table, [...(tables.get(table) ?? []), statement]);
  }
  const queues = [...tables.values()];
  const result: string[] = [];
  for (let k = 0; result.length < statements.length; k++) for (const queue of queues) if (k < queue.length) result.push(queue[k]!);
  return result;
}

/**
 * Takes `count` ids from a table's id sequence at once and returns the first: the ids row by row
 * inserts would have drawn, one after the other, from the same sequence.
 */
export async function reserveIds(sql: Sql, table: string, count: number): Promise<number> {
  if (count === 0) return 0;
  const [row] = await sql.$queryRawUnsafe<{ first: number }[]>(
    `SELECT (setval(s, nextval(s) + $1 - 1) - $1 + 1)::int AS first FROM pg_get_serial_sequence($2, 'id') AS s`,
    count,
    quote(table),
  );
  return row!.first;
}

export function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
