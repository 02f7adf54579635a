// The demo catalog: a seeded, realistic-looking set of papers, authors, topics, users and votes
// in the spirit of Hugging Face Daily Papers, from 600 papers (the demo) to 100k (load tests).
//
//   plan.ts    what to write, as numbers (days, dates, arXiv ids, bylines, vote counts)
//   text.ts    titles, abstracts and links, from the word lists in vocabulary.ts
//   names.ts   author and user names (unique by normalizeAuthorName), handles
//   write.ts   the SQL: a few large INSERT ... SELECT FROM unnest(...) statements per table
//
// Same seed and same `today` give the same rows, ids included when the tables start empty.
import { normalizeAuthorName } from '../authors/index.ts';
import type { Db } from '../../platform/db/client.ts';
import { DAY_MS, MAX_PUBLICATION_LAG_MS, MAX_TOPICS, planCatalog, type PlanOptions } from './plan.ts';
import { writeCatalog, writeCatalogInParallel, type Sql } from './write.ts';

/** Re-exported from src/catalog/authors/normalize.ts, the one rule the whole catalog matches authors by. */
export { normalizeAuthorName };

export interface DemoOptions {
  papers: number;
  /** Any safe integer; default DEFAULT_DEMO_SEED. */
  seed?: number;
  /**
   * The moment the catalog is generated as of; default: now. The newest papers are featured on
   * its UTC day, and no vote is later than it (so at midnight today's papers have no votes yet).
   */
  today?: Date;
  /** How many days, up to and including today's, papers are featured over; default 60. */
  days?: number;
  /** Default 3 per paper (fewer if the bylines have fewer slots). */
  authors?: number;
  /** Default one per two papers, at least 10, at most 50,000; one is the admin. */
  users?: number;
  /** Default 10 per paper; a paper gets at most 60% of the users. */
  votes?: number;
  /** Default one per 30 papers, at least 10, at most 1,000. */
  topics?: number;
  /**
   * Load into empty tables with indexes, foreign keys and derived-data triggers set aside and
   * rebuilt after (src/catalog/demo/bulk.ts): the same rows, several times faster at 100k papers
   * and more. For the bench catalogs; refuses a catalog with rows.
   */
  bulk?: boolean;
  /**
   * Bulk mode only. false: leave PaperTerm empty, for a caller that runs rebuildRelated next
   * (src/catalog/related/rebuild.ts), which computes every vector again anyway (the bench: at 1M
   * papers one pass over every text takes minutes).
   */
  termVectors?: boolean;
  /** Called as each table or batch of papers is written (the CLI prints it). */
  onProgress?: (message: string) => void;
}

export interface DemoSummary {
  papers: number;
  authors: number;
  topics: number;
  users: number;
  votes: number;
}

export const DEFAULT_DEMO_PAPERS = 600;
export const DEFAULT_DEMO_SEED = 42;
export const DEFAULT_DEMO_DAYS = 60;
export const MAX_DEMO_PAPERS = 1_000_000;

/** The options with every default filled in: what the plan is made from. */
type Resolved = Omit<PlanOptions, 'takenArxivIds'>;

/** "an integer from 1 to 3650", "an integer of at least 1", "an integer". */
export function integerRange(min: number, max: number): string {
  if (max === Number.MAX_SAFE_INTEGER) return min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer of at least ${min}`;
  return `an integer from ${min} to ${max}`;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`Demo option ${name} must be ${integerRange(min, max)}; got ${value}`);
  }
  return value;
}

function resolve(options: DemoOptions): Resolved {
  const papers = integer('papers', options.papers ?? NaN, NaN, 1, MAX_DEMO_PAPERS);
  const today = options.today ?? new Date();
  if (!(today instanceof Date) || Number.isNaN(today.getTime())) {
    throw new RangeError(`Demo option today must be a valid Date; got ${String(options.today)}`);
  }
  return {
    papers,
    seed: integer('seed', options.seed, DEFAULT_DEMO_SEED, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    now: today.getTime(),
    days: integer('days', options.days, DEFAULT_DEMO_DAYS, 1, 3650),
    authors: integer('authors', options.authors, papers * 3, 1, Number.MAX_SAFE_INTEGER),
    users: integer('users', options.users, Math.min(50_000, Math.max(10, Math.round(papers / 2))), 1, 10_000_000),
    votes: integer('votes', options.votes, papers * 10, 0, Number.MAX_SAFE_INTEGER),
    topics: integer('topics', options.topics, Math.min(1000, Math.max(10, Math.round(papers / 30))), 1, MAX_TOPICS),
  };
}

/**
 * Adds a demo catalog to the database in one transaction and says what it added. On empty
 * tables the rows, ids included, depend only on the options. On a catalog that already has
 * rows, authors, users and topics with the same normalized name, handle or slug are reused and
 * arXiv ids already taken are skipped; the caller decides whether that is wanted (the seed CLI
 * refuses without --force).
 */
export async function generateDemoCatalog(db: Db, options: DemoOptions): Promise<DemoSummary> {
  const resolved = resolve(options);
  const progress = options.onProgress ?? (() => {});
  return db.$transaction(
    async (tx) => {
      const takenArxivIds = await arxivIdsInWindow(tx, resolved);
      const plan = planCatalog({ ...resolved, takenArxivIds });
      progress(`planned ${plan.papers.count} papers, ${plan.authorNames.length} authors, ${plan.voteCount} votes`);
      const written = await writeCatalog(tx, plan, progress, { bulk: options.bulk ?? false, termVectors: options.termVectors ?? true });
      return {
        papers: written.papers,
        authors: plan.authorNames.length,
        topics: plan.topics.length,
        users: plan.users.length,
        votes: written.votes,
      };
    },
    // Interactive transactions time out after 5 s by default; 100k papers take a minute or two.
    { maxWait: 60_000, timeout: Math.max(120_000, resolved.papers * 20) },
  );
}

/**
 * generateDemoCatalog in bulk mode on `connections` connections at once (write.ts,
 * writeCatalogInParallel): the same rows, and PostgreSQL's share of the work on every core.
 *
 * Danger: NOT ATOMIC, unlike generateDemoCatalog. Only into the empty tables of a database made
 * for it, dropped when this did not finish (the bench catalogs: bench/catalog.ts).
 */
export async function generateDemoCatalogInParallel(db: Db, options: DemoOptions & { connections: number; papersPerBatch?: number }): Promise<DemoSummary> {
  const resolved = resolve(options);
  const progress = options.onProgress ?? (() => {});
  const transaction = <T>(fn: (sql: Sql) => Promise<T>) => db.$transaction((tx) => fn(tx), { maxWait: 60_000, timeout: 6 * 3_600_000 });
  const takenArxivIds = await transaction((sql) => arxivIdsInWindow(sql, resolved));
  const started = performance.now();
  const plan = planCatalog({ ...resolved, takenArxivIds });
  progress(`planned ${plan.papers.count} papers, ${plan.authorNames.length} authors, ${plan.voteCount} votes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const written = await writeCatalogInParallel({ transaction }, plan, progress, {
    connections: options.connections,
    papersPerBatch: options.papersPerBatch,
    termVectors: options.termVectors ?? true,
  });
  return { papers: written.papers, authors: plan.authorNames.length, topics: plan.topics.length, users: plan.users.length, votes: written.votes };
}

/** arXiv ids of the months the demo papers can be published in, which they must not reuse. */
async function arxivIdsInWindow(sql: Sql, options: Resolved): Promise<Set<string>> {
  const lastDay = Math.floor(options.now / DAY_MS);
  const earliest = (lastDay - options.days + 1) * DAY_MS - MAX_PUBLICATION_LAG_MS;
  const prefixes: string[] = [];
  for (let d = new Date(earliest); d.getTime() <= options.now; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    prefixes.push(`${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}.`);
  }
  const rows = await sql.$queryRawUnsafe<{ arxivId: string }[]>(
    `SELECT "arxivId" FROM "Paper" WHERE left("arxivId", 5) = ANY($1::text[])`,
    prefixes,
  );
  return new Set(rows.map((r) => r.arxivId));
}

/** True when the catalog has no papers (what decides whether the demo may be added). */
export async function isCatalogEmpty(db: Db): Promise<boolean> {
  return (await db.paper.findFirst({ select: { id: true } })) === null;
}
