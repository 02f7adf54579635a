// What bench/abuse.ts and bench/calibrate.ts need in the 100k bench catalog besides the catalog
// itself, made idempotently and taken back afterwards without touching what bench/catalog.ts
// checks (its marker compares the row counts of papers, authors, topics, users and votes):
//
//   - API tokens for existing READER users (name ABUSE_TOKEN_NAME, stored hashed as any token,
//     made by the project's generateToken as bench/catalog.ts makes its own): new users would
//     change the user count and make every later `npm run bench` generate the catalog again;
//   - a public collection of 1,000 listed papers, owned by an existing user (COLLECTION_NAME),
//     written once and reused while it still holds 1,000 papers;
//   - for the upvoter of the subscription flood: papers it has no vote on (so that toggling
//     upvotes only ever adds and removes votes cast after the catalog's `today`, which
//     `restoreAbuse` takes back, as bench/catalog.ts's restoreCatalog does).
import pg from 'pg';
import { generateToken } from '../src/catalog/users/tokens.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import type { Marker } from './catalog.ts';

export const ABUSE_TOKEN_NAME = 'bench-abuse';
export const COLLECTION_NAME = 'bench-abuse: 1000 papers';
export const COLLECTION_SIZE = 1000;
/** How many of the commonest words are kept: the search flood draws 24 of them per request. */
export const COMMON_WORDS = 32;

export interface AbuseUser {
  userId: number;
  token: string;
}

export interface AbuseSetup {
  /** Signed-in readers of the daily page (each spends its own budget). */
  readers: AbuseUser[];
  /** The user who upvotes during the subscription flood. */
  upvoter: AbuseUser;
  /** Owner of the collection; also the user of `viewer.recommendedPapers` (the reader with the most upvotes). */
  owner: AbuseUser;
  /** The user with the most upvotes: `viewer.recommendedPapers` at its costliest. */
  recommender: AbuseUser;
  /**
   * One user per flood kind whose single request probes that kind's cost: a probe's measured
   * charge can put its client in debt for minutes, which must hold up neither the next probe
   * nor the attacker's address.
   */
  probers: AbuseUser[];
  collectionId: string;
  /** Listed papers the upvoter has no vote on (global ids): watched and upvoted in the subscription flood. */
  upvoteTargets: string[];
  /** A deterministic sample of listed papers (global ids). */
  paperIds: string[];
  arxivIds: string[];
  /** The most recent full days with at least 50 papers (today's list skipped). */
  dailyDates: string[];
  /** The COMMON_WORDS commonest words of 4 to 6 letters of titles and abstracts (stop words left out), commonest first. */
  commonWords: string[];
  /** A word in a handful of papers. */
  rareWord: string;
  topicSlug: string;
  authorId: string;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function tokenFor(client: pg.Client, userId: number): Promise<AbuseUser> {
  const { token, prefix, tokenHash } = generateToken();
  await client.query(`INSERT INTO "ApiToken" ("userId", name, prefix, "tokenHash") VALUES ($1, $2, $3, $4)`, [userId, ABUSE_TOKEN_NAME, prefix, tokenHash]);
  return { userId, token };
}

/** Users probing the flood kinds' costs, one each. */
const PROBERS = 4;

/** Tokens, the collection, the inputs. `readers` tokens for as many READER users. */
export async function prepareAbuse(url: string, marker: Marker, readers: number, log: (m: string) => void): Promise<AbuseSetup> {
  await restoreAbuse(url, marker);
  return withClient(url, async (client) => {
    const users = await client.query<{ id: number }>(
      `SELECT id FROM "User" WHERE role = 'READER' ORDER BY md5('abuse' || id::text) LIMIT $1`,
      [readers + 2 + PROBERS],
    );
    const ids = users.rows.map((r) => r.id);
    const readerUsers = [];
    for (const id of ids.slice(0, readers)) readerUsers.push(await tokenFor(client, id));
    const upvoter = await tokenFor(client, ids[readers]!);
    const owner = await tokenFor(client, ids[readers + 1]!);
    const probers = [];
    for (const id of ids.slice(readers + 2, readers + 2 + PROBERS)) probers.push(await tokenFor(client, id));
    const top = await client.query<{ userId: number }>(`SELECT "userId" FROM "Vote" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`);
    const recommender = await tokenFor(client, top.rows[0]!.userId);

    // The collection: reused when it still holds its 1,000 listed papers.
    let collection = (
      await client.query<{ id: number; items: number }>(
        `SELECT c.id, (SELECT count(*) FROM "CollectionItem" i JOIN "Paper" p ON p.id = i."paperId" AND p."hiddenAt" IS NULL WHERE i."collectionId" = c.id)::int AS items
         FROM "Collection" c WHERE c.name = $1 AND c.public ORDER BY c.id LIMIT 1`,
        [COLLECTION_NAME],
      )
    ).rows[0];
    if (!collection || collection.items !== COLLECTION_SIZE) {
      await client.query('BEGIN');
      await client.query(`DELETE FROM "Collection" WHERE name = $1`, [COLLECTION_NAME]);
      const created = await client.query<{ id: number }>(
        `INSERT INTO "Collection" ("ownerId", name, description, public, "updatedAt") VALUES ($1, $2, 'Made by bench/abuse-setup.ts', true, now()) RETURNING id`,
        [owner.userId, COLLECTION_NAME],
      );
      const id = created.rows[0]!.id;
      await client.query(
        `INSERT INTO "CollectionItem" ("collectionId", "paperId", position)
         SELECT $1, id, row_number() OVER (ORDER BY md5('collection' || id::text))::int
         FROM (SELECT id FROM "Paper" WHERE "hiddenAt" IS NULL AND "featuredOn" IS NOT NULL ORDER BY md5('collection' || id::text) LIMIT $2) p`,
        [id, COLLECTION_SIZE],
      );
      await client.query('COMMIT');
      collection = { id, items: COLLECTION_SIZE };
      log(`collection ${id}: ${COLLECTION_SIZE} papers, public (created)`);
    } else {
      log(`collection ${collection.id}: ${collection.items} papers, public (reused)`);
    }

    const targets = await client.query<{ id: number }>(
      `SELECT id FROM "Paper" p WHERE "hiddenAt" IS NULL AND "featuredOn" IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM "Vote" v WHERE v."paperId" = p.id AND v."userId" = $1)
       ORDER BY "upvoteCount" DESC, id LIMIT 10`,
      [upvoter.userId],
    );
    const sample = await client.query<{ id: number; arxivId: string }>(
      `SELECT id, "arxivId" FROM "Paper" WHERE "hiddenAt" IS NULL ORDER BY md5(id::text) LIMIT 2000`,
    );
    const days = await client.query<{ day: string }>(`
      SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day FROM "Paper"
      WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL
      GROUP BY "featuredOn" HAVING count(*) >= 50 ORDER BY "featuredOn" DESC LIMIT 8`);
    // Words of titles and abstracts (not stop words) by the number of papers holding them, over a 5 % sample.
    const wordCounts = `
      WITH w AS (SELECT DISTINCT id, word FROM "Paper", regexp_split_to_table(lower(title || ' ' || coalesce(abstract, '')), '[^a-z]+') AS word
                 WHERE "hiddenAt" IS NULL AND id % 20 = 0 AND length(word) >= 4)
      SELECT word, count(*)::int AS ndoc FROM w WHERE to_tsvector('english', word)::text <> '' GROUP BY word`;
    // At most 6 letters: 24 of them joined by " OR " stay within the 256 characters a query may have.
    const words = await client.query<{ word: string }>(`SELECT word FROM (${wordCounts}) c WHERE length(word) <= 6 ORDER BY ndoc DESC, word LIMIT ${COMMON_WORDS}`);
    const rare = await client.query<{ word: string }>(`SELECT word FROM (${wordCounts}) c WHERE ndoc = 1 AND length(word) >= 7 ORDER BY md5(word) LIMIT 1`);
    const topic = await client.query<{ slug: string }>(
      `SELECT t.slug FROM "Topic" t JOIN "PaperTopic" pt ON pt."topicId" = t.id GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1`,
    );
    const author = await client.query<{ authorId: number }>(
      `SELECT "authorId" FROM "PaperAuthor" GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    return {
      readers: readerUsers,
      upvoter,
      owner,
      recommender,
      probers,
      collectionId: toGlobalId('Collection', collection.id),
      upvoteTargets: targets.rows.map((r) => toGlobalId('Paper', r.id)),
      paperIds: sample.rows.map((r) => toGlobalId('Paper', r.id)),
      arxivIds: sample.rows.map((r) => r.arxivId),
      dailyDates: days.rows.slice(1).map((r) => r.day),
      commonWords: words.rows.map((r) => r.word),
      rareWord: rare.rows[0]?.word ?? 'zyzzyva',
      topicSlug: topic.rows[0]!.slug,
      authorId: toGlobalId('Author', author.rows[0]!.authorId),
    };
  });
}

/**
 * Takes back what the abuse benches wrote that bench/catalog.ts checks or would not take back:
 * their tokens, and votes cast after the catalog's `today` by the users they hold tokens for
 * (with Paper.upvoteCount recounted). The collection stays, to be reused.
 */
export async function restoreAbuse(url: string, marker: Marker): Promise<{ votesRemoved: number }> {
  return withClient(url, async (client) => {
    await client.query('BEGIN');
    const removed = await client.query<{ paperId: number }>(
      `DELETE FROM "Vote" WHERE "createdAt" > $1::timestamptz
         AND "userId" IN (SELECT "userId" FROM "ApiToken" WHERE name = $2) RETURNING "paperId"`,
      [marker.today, ABUSE_TOKEN_NAME],
    );
    if (removed.rowCount) {
      await client.query(
        `UPDATE "Paper" p SET "upvoteCount" = (SELECT count(*) FROM "Vote" v WHERE v."paperId" = p.id) WHERE p.id = ANY($1::int[])`,
        [[...new Set(removed.rows.map((r) => r.paperId))]],
      );
    }
    await client.query(`DELETE FROM "ApiToken" WHERE name = $1`, [ABUSE_TOKEN_NAME]);
    await client.query('COMMIT');
    return { votesRemoved: removed.rowCount ?? 0 };
  });
}
