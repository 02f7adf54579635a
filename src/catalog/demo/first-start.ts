// The catalog a first start shows: real papers, imported from the sample shipped in
// src/catalog/demo/sample/ (a few weeks of Hugging Face Daily Papers and an arXiv response; see its
// SOURCE.md) through the normal importer, plus generated users and their votes, so that
// upvotes, trending and facets have something to show. The synthetic generator
// (generate.ts) stays for `npm run db:seed -- --papers N` and the benchmarks.
//
// Time: the sample's days lie in the past, and trending only counts votes of the last day,
// week or month. The votes are therefore cast as if the sample's latest featured day were the
// day of the first start: a paper featured d days before that day gets its votes from d days
// before `now` on, most within its first day, a quarter spread from then to `now` (the same
// rule as the synthetic catalog, src/catalog/demo/plan.ts paperVotes). So the newest days lead
// trending, and older papers keep a trickle. Featured days and every imported field stay as
// the sources say.
import path from 'node:path';
import type { Db } from '../../platform/db/client.ts';
import { importFiles, type ImportSummary } from '../import/index.ts';
import { projectRoot } from '../../platform/paths.ts';
import { DAY_MS, userList } from './plan.ts';
import { Rng, shuffledZipf, WeightedSampler } from './random.ts';
import { insertKeyed, insertRows, type Sql } from './write.ts';
import { LISTED } from '../papers/index.ts';

/** The shipped sample (beside this file in src/; dist/ has no copy, so found from the project root). */
export const SAMPLE_DIR = path.join(projectRoot, 'src/catalog/demo/sample');
/** Its folders, imported in this order (SOURCE.md beside them says where they come from). */
const SAMPLE_FOLDERS = ['hf-daily-papers', 'arxiv-atom'];

const HOUR_MS = 3_600_000;
const SEED = 2026;
const USERS = 300;
/** A paper's votes: about this share of its Hugging Face upvotes (the sample's readers are fewer). */
const VOTES_PER_HF_UPVOTE = 0.6;
/** No paper gets more than this share of the users' votes. */
const MAX_SHARE_OF_USERS = 0.6;

export interface FirstStartOptions {
  /** The moment of the first start; default: now. No vote is later than it. */
  now?: Date;
  onProgress?: (message: string) => void;
}

export interface FirstStartSummary {
  papers: number;
  authors: number;
  topics: number;
  users: number;
  votes: number;
  /** The newest featured day of the sample, which the votes treat as the day of `now`. */
  latestFeaturedDay: string | null;
  import: ImportSummary;
}

/**
 * Imports the shipped sample and adds users and votes. Meant for an empty catalog (the caller
 * checks, see isCatalogEmpty): each sample file is imported in its own transaction, as any
 * import, then the users and votes in one more. A rejected sample file stops it with the
 * importer's message.
 */
export async function seedFirstStart(db: Db, options: FirstStartOptions = {}): Promise<FirstStartSummary> {
  const now = (options.now ?? new Date()).getTime();
  const progress = options.onProgress ?? (() => {});
  const imported = await importFiles(db, SAMPLE_FOLDERS.map((folder) => path.join(SAMPLE_DIR, folder)));
  if (!imported.ok) {
    throw new Error(`The demo sample did not import: ${imported.rejected.map((r) => r.reason).join('; ')}`);
  }
  progress(`imported ${imported.papersCreated} papers from ${imported.sources.length} sample files`);

  const { users, votes, latestFeaturedDay } = await db.$transaction((tx) => addUsersAndVotes(tx, now), { timeout: 120_000, maxWait: 60_000 });
  progress(`added ${users} users and ${votes} votes`);
  const [counts] = await db.$queryRawUnsafe<{ papers: number; authors: number; topics: number }[]>(
    `SELECT (SELECT count(*)::int FROM "Paper") AS papers, (SELECT count(*)::int FROM "Author") AS authors, (SELECT count(*)::int FROM "Topic") AS topics`,
  );
  return { ...counts!, users, votes, latestFeaturedDay, import: imported };
}

interface PaperRow {
  id: number;
  featuredOn: Date | null;
  publishedAt: Date;
  hfUpvotes: number | null;
}

async function addUsersAndVotes(sql: Sql, now: number): Promise<{ users: number; votes: number; latestFeaturedDay: string | null }> {
  const papers = await sql.$queryRawUnsafe<PaperRow[]>(
    `SELECT id, "featuredOn", "publishedAt", "hfUpvotes" FROM "Paper" p WHERE ${LISTED.text} ORDER BY id`,
  );
  const dayOfMs = (ms: number) => Math.floor(ms / DAY_MS);
  const featured = papers.flatMap((p) => (p.featuredOn ? [dayOfMs(p.featuredOn.getTime())] : []));
  const latest = featured.length ? Math.max(...featured) : dayOfMs(now);
  const shift = dayOfMs(now) - latest;
  // The day each paper's votes start: its featured day (or, without one, its arXiv day) moved
  // by `shift`, never after `now`'s day.
  const startDay = papers.map((p) => Math.min(dayOfMs(now), (p.featuredOn ? dayOfMs(p.featuredOn.getTime()) : dayOfMs(p.publishedAt.getTime())) + shift));
  const firstDay = Math.min(dayOfMs(now), ...startDay);

  const users = userList(Rng.derive(SEED, 'users'), USERS, firstDay);
  const handles = users.map((u) => u.handle);
  const ids = await insertKeyed(
    sql,
    'User',
    'handle',
    [{ name: 'handle', type: 'text' }, { name: 'displayName', type: 'text' }, { name: 'role', type: 'text', cast: '"Role"' }, { name: 'createdAt', type: 'timestamptz' }],
    [handles, users.map((u) => u.displayName), users.map((u) => u.role), users.map((u) => new Date(u.createdAt).toISOString())],
  );
  const userIds = handles.map((h) => ids.get(h)!);

  // Popular on Hugging Face, popular here: each paper's count follows its upvotes there, with
  // some noise; a few papers nobody votes for. Voters are Zipf-skewed: some users vote a lot.
  const voters = new WeightedSampler(shuffledZipf(Rng.derive(SEED, 'voters'), users.length, 0.9, 5));
  const cap = Math.floor(users.length * MAX_SHARE_OF_USERS);
  const rows: [number[], number[], string[]] = [[], [], []];
  papers.forEach((paper, i) => {
    const rng = Rng.derive(SEED, 'votes', paper.id);
    const expected = rng.chance(0.06) ? 0 : ((paper.hfUpvotes ?? 0) + 1) * VOTES_PER_HF_UPVOTE * Math.exp(0.3 * rng.normal());
    const count = Math.min(cap, Math.floor(expected) + (rng.next() < expected - Math.floor(expected) ? 1 : 0));
    const start = startDay[i]! * DAY_MS;
    const span = Math.max(0, now - start);
    for (const user of voters.sampleDistinct(rng, count)) {
      let offset = rng.chance(0.75) ? rng.exponential(18 * HOUR_MS) : rng.next() * span;
      if (offset > span) offset = rng.next() * span;
      rows[0].push(userIds[user]!);
      rows[1].push(paper.id);
      rows[2].push(new Date(start + Math.floor(offset)).toISOString());
    }
  });
  await insertRows(sql, 'Vote', [{ name: 'userId', type: 'int' }, { name: 'paperId', type: 'int' }, { name: 'createdAt', type: 'timestamptz' }], rows);
  // Paper.upvotes is exactly the number of this catalog's vote rows.
  await sql.$executeRawUnsafe(`
    UPDATE "Paper" p SET "upvoteCount" = v.n
    FROM (SELECT "paperId", count(*)::int AS n FROM "Vote" GROUP BY "paperId") v
    WHERE v."paperId" = p.id AND p."upvoteCount" <> v.n`);
  await sql.$executeRawUnsafe(`ANALYZE "User", "Vote", "Paper", "Author", "PaperAuthor", "Topic", "PaperTopic"`);
  return {
    users: users.length,
    votes: rows[0].length,
    latestFeaturedDay: featured.length ? new Date(latest * DAY_MS).toISOString().slice(0, 10) : null,
  };
}
