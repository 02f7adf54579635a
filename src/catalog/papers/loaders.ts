// The paper read model's DataLoaders: papers, their bylines and topics, and the authors, topics
// and users a paper page shows. Built per request in the context (src/catalog/context.ts, never at
// module scope: a cache shared between requests would serve one viewer's data to another), and
// by `paperReads` for feeds, digests and scripts. The batch contract: src/platform/db/batch.ts.
//
// Hot path: plain pg through the platform's reader, each statement named (prepared once per
// connection: `ANY($1)` keeps its text the same whatever the number of keys) and selecting
// only the columns of the rows the resolvers' mappers expect. Prisma's mapping of the same
// rows cost more CPU than the rest of the request together.
import DataLoader from 'dataloader';
import type { Author, Paper, PaperAuthor, Topic, User } from '../../generated/prisma/client.ts';
import { byId, counted, grouped } from '../../platform/db/batch.ts';
import type { Reader } from '../../platform/db/reader.ts';
import { PAPER_COLUMNS_P } from './columns.ts';
import { LISTED } from './visibility.ts';

/** A byline entry with its author: `authors` and `byline { author }` need no further lookup. */
export type BylineEntry = PaperAuthor & { author: AuthorParent };

/**
 * What the API shows of an author or a topic reached through a paper: the GraphQL parents of
 * Author and Topic (codegen.ts), so relation rows need not carry columns no field reads.
 */
export type AuthorParent = Pick<Author, 'id' | 'name'>;
/** An Author row as `author(id)`, `node(id)` and the authors list read it (claims aside). */
export type AuthorBase = Pick<Author, 'id' | 'name' | 'normalizedName' | 'createdAt'>;
/** What an approved claim set on an author (src/catalog/authors/claims.ts). */
export type AuthorIdentity = Pick<Author, 'id' | 'orcid' | 'claimedById'>;
export type TopicParent = Pick<Topic, 'id' | 'name' | 'slug' | 'parentId'>;

const PAPERS_BY_ID = `SELECT ${PAPER_COLUMNS_P.text} FROM "Paper" p WHERE p.id = ANY($1::int[])`;
const PAPERS_BY_ARXIV_ID = `SELECT ${PAPER_COLUMNS_P.text} FROM "Paper" p WHERE p."arxivId" = ANY($1::text[])`;
const AUTHORS_BY_ID = `SELECT id, name, "normalizedName", "createdAt" FROM "Author" WHERE id = ANY($1::int[])`;
// Ids of authors removed by a merge, with the author they lead to (src/catalog/authors/merge.ts).
const AUTHORS_BY_ALIAS = `
  SELECT al.id AS "aliasId", a.id, a.name, a."normalizedName", a."createdAt"
  FROM "AuthorAlias" al JOIN "Author" a ON a.id = al."authorId" WHERE al.id = ANY($1::int[])`;
const AUTHOR_IDENTITIES = `SELECT id, orcid, "claimedById" FROM "Author" WHERE id = ANY($1::int[]) AND "claimedById" IS NOT NULL`;
const TOPIC_COLUMNS = `id, slug, name, "parentId", "createdAt"`;
const TOPICS_BY_ID = `SELECT ${TOPIC_COLUMNS} FROM "Topic" WHERE id = ANY($1::int[])`;
const TOPICS_BY_SLUG = `SELECT ${TOPIC_COLUMNS} FROM "Topic" WHERE slug = ANY($1::text[])`;
const USERS_BY_ID = `SELECT id, handle, "displayName", role::text AS role, "createdAt" FROM "User" WHERE id = ANY($1::int[])`;
const VOTED = `SELECT "paperId" FROM "Vote" WHERE "userId" = $1 AND "paperId" = ANY($2::int[])`;
// A page's bylines and its topics in ONE statement: the two loaders ask in the same tick
// (graphql-js resolves a list's fields in one pass), so their keys meet in one batch of
// `relations` and cost one round trip instead of two. Each half reads nothing when its key
// list is empty. Author rows: kind 0, topic rows: kind 1; `label` is the author's
// normalizedName or the topic's slug.
const RELATIONS = `
  SELECT 0 AS kind, pa."paperId", pa.position, pa.hidden, pa.affiliation,
         a.id, a.name, a."normalizedName" AS label, a."createdAt", NULL::int AS "parentId"
  FROM "PaperAuthor" pa JOIN "Author" a ON a.id = pa."authorId"
  WHERE pa."paperId" = ANY($1::int[])
  UNION ALL
  SELECT 1, pt."paperId", NULL, NULL, NULL, t.id, t.name, t.slug, t."createdAt", t."parentId"
  FROM "PaperTopic" pt JOIN "Topic" t ON t.id = pt."topicId"
  WHERE pt."paperId" = ANY($2::int[])
  ORDER BY 1, 2, 3`;
const CHILD_TOPICS = `SELECT ${TOPIC_COLUMNS} FROM "Topic" WHERE "parentId" = ANY($1::int[]) ORDER BY name, id`;
// Listed papers only: counting hidden ones would tell that they exist.
const AUTHOR_PAPER_COUNTS = `
  SELECT pa."authorId" AS key, count(*)::int AS n
  FROM "PaperAuthor" pa JOIN "Paper" p ON p.id = pa."paperId"
  WHERE pa."authorId" = ANY($1::int[]) AND ${LISTED.text}
  GROUP BY pa."authorId"`;
const TOPIC_PAPER_COUNTS = `
  SELECT pt."topicId" AS key, count(*)::int AS n
  FROM "PaperTopic" pt JOIN "Paper" p ON p.id = pt."paperId"
  WHERE pt."topicId" = ANY($1::int[]) AND ${LISTED.text}
  GROUP BY pt."topicId"`;

interface RelationRow {
  kind: 0 | 1;
  paperId: number;
  position: number | null;
  hidden: boolean | null;
  affiliation: string | null;
  id: number;
  name: string;
  label: string;
  createdAt: Date;
  parentId: number | null;
}

// Keys of `relations`: a paper's byline is 2 * paperId, its topics 2 * paperId + 1.
const BYLINE = 0;
const TOPICS = 1;

const compareNames = new Intl.Collator().compare;

function push<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}

function unwrap<T>(results: (unknown[] | Error)[]): T[][] {
  for (const result of results) if (result instanceof Error) throw result;
  return results as T[][];
}

function byIds<R>(reader: Reader, name: string, text: string) {
  return (ids: number[]) => reader.rows<R>({ text, values: [ids] }, name);
}

/**
 * A paper's byline and topics as two JSON columns of the statement that reads the paper
 * (`p` its alias), so that a page and its relations cost one round trip, not two: what the
 * bylineByPaperId and topicsByPaperId loaders would fetch, in their order, for
 * `primeRelations`. JSON arrays, not objects: no key names repeated in every element.
 */
export const RELATION_COLUMNS = `
  (SELECT json_agg(json_build_array(pa.position, pa.hidden, pa.affiliation, a.id, a.name) ORDER BY pa.position)
     FROM "PaperAuthor" pa JOIN "Author" a ON a.id = pa."authorId" WHERE pa."paperId" = p.id) AS "relByline",
  (SELECT json_agg(json_build_array(t.id, t.name, t.slug, t."parentId"))
     FROM "PaperTopic" pt JOIN "Topic" t ON t.id = pt."topicId" WHERE pt."paperId" = p.id) AS "relTopics"`;

/** The two columns of RELATION_COLUMNS on a row (null: none). */
export interface RelationColumns {
  relByline?: [number, boolean, string | null, number, string][] | null;
  relTopics?: [number, string, string, number | null][] | null;
}

function bylineEntry(paperId: number, position: number, hidden: boolean, affiliation: string | null, author: AuthorParent): BylineEntry {
  return { paperId, position, authorId: author.id, hidden, affiliation, author };
}

/** Topics in the order every reader shows them: by name, then id. */
function sortTopics<T extends TopicParent>(topics: T[]): T[] {
  // Sorted here: ordering by the related name in SQL made Postgres read every topic.
  return topics.sort((a, b) => compareNames(a.name, b.name) || a.id - b.id);
}

/**
 * Gives the loaders a paper's relations read with it (RELATION_COLUMNS), so that resolving
 * its authors and topics sends no statement. Takes the columns off the row: it stays a Paper.
 * The authors and topics are what a paper shows of them, not whole rows: authorById and
 * topicById are left alone.
 */
export function primeRelations(loaders: Pick<PaperLoaders, 'bylineByPaperId' | 'topicsByPaperId'>, row: { id: number } & RelationColumns): void {
  const { relByline, relTopics } = row;
  delete row.relByline;
  delete row.relTopics;
  if (relByline === undefined || relTopics === undefined) return;
  const byline: BylineEntry[] = [];
  for (const [position, hidden, affiliation, id, name] of relByline ?? []) byline.push(bylineEntry(row.id, position, hidden, affiliation, { id, name }));
  const topics: TopicParent[] = [];
  for (const [id, name, slug, parentId] of relTopics ?? []) topics.push({ id, name, slug, parentId });
  loaders.bylineByPaperId.prime(row.id, byline);
  loaders.topicsByPaperId.prime(row.id, sortTopics(topics));
}

/** Where `relations` puts what it read besides bylines and topics. */
interface RelationPrimes {
  authorById: DataLoader<number, AuthorBase | null>;
  topicById: DataLoader<number, Topic | null>;
}

/**
 * Bylines (key 2 * paperId) and topics (2 * paperId + 1) of papers in one statement; primes the
 * authors and topics it read. Not cached: bylineByPaperId and topicsByPaperId above it cache.
 */
function relationsLoader(reader: Reader, primes: RelationPrimes) {
  return new DataLoader<number, (BylineEntry | Topic)[]>(
    async (keys) => {
      const byline: number[] = [];
      const topics: number[] = [];
      for (const key of keys) (key % 2 === BYLINE ? byline : topics).push((key - (key % 2)) / 2);
      const rows = await reader.rows<RelationRow>({ text: RELATIONS, values: [byline, topics] }, 'loader_relations');
      const groups = groupRelations(rows, primes);
      return keys.map((key) => groups.get(key) ?? []);
    },
    { cache: false },
  );
}

function groupRelations(rows: readonly RelationRow[], primes: RelationPrimes): Map<number, (BylineEntry | Topic)[]> {
  const groups = new Map<number, (BylineEntry | Topic)[]>();
  const topicRows: (Topic & { paperId: number })[] = [];
  for (const row of rows) {
    if (row.kind === BYLINE) {
      const author: AuthorBase = { id: row.id, name: row.name, normalizedName: row.label, createdAt: row.createdAt };
      primes.authorById.prime(author.id, author);
      push(groups, 2 * row.paperId + BYLINE, bylineEntry(row.paperId, row.position!, row.hidden!, row.affiliation, author));
    } else {
      topicRows.push({ paperId: row.paperId, id: row.id, slug: row.label, name: row.name, parentId: row.parentId, createdAt: row.createdAt });
    }
  }
  for (const { paperId, ...topic } of sortTopics(topicRows)) {
    primes.topicById.prime(topic.id, topic);
    push(groups, 2 * paperId + TOPICS, topic);
  }
  return groups;
}

/** Whether the viewer upvoted each paper. Per viewer, hence per request: never share it. */
function votedLoader(reader: Reader, viewer: User | null) {
  return new DataLoader<number, boolean>(async (paperIds) => {
    if (!viewer) return paperIds.map(() => false);
    const votes = await reader.rows<{ paperId: number }>({ text: VOTED, values: [viewer.id, [...new Set(paperIds)]] }, 'loader_voted');
    const voted = new Set<number>();
    for (const vote of votes) voted.add(vote.paperId);
    return paperIds.map((id) => voted.has(id));
  });
}

/**
 * Authors by id, or by the id of an author merged into another: then the survivor (whose `id`
 * differs from the key). An old global id keeps working; the second statement is only sent for
 * ids no author has.
 */
function authorLoader(reader: Reader) {
  return new DataLoader<number, AuthorBase | null>(async (ids) => {
    const keys = [...new Set(ids)];
    const found = new Map<number, AuthorBase>();
    for (const row of await byIds<AuthorBase>(reader, 'loader_authors', AUTHORS_BY_ID)(keys)) found.set(row.id, row);
    const missing = keys.filter((id) => !found.has(id));
    if (missing.length > 0) {
      for (const { aliasId, ...row } of await byIds<AuthorBase & { aliasId: number }>(reader, 'loader_author_aliases', AUTHORS_BY_ALIAS)(missing)) {
        found.set(aliasId, row);
      }
    }
    return ids.map((id) => found.get(id) ?? null);
  });
}

/**
 * Rows by a unique text column (`key` of a row), one statement per batch; each row found also
 * primes `byId`, so a later lookup by id sends nothing.
 */
function byUniqueText<R extends { id: number }>(reader: Reader, name: string, text: string, key: (row: R) => string, byId: DataLoader<number, R | null>) {
  return new DataLoader<string, R | null>(async (keys) => {
    const found = new Map<string, R>();
    for (const row of await reader.rows<R>({ text, values: [[...new Set(keys)]] }, name)) {
      found.set(key(row), row);
      byId.prime(row.id, row);
    }
    return keys.map((k) => found.get(k) ?? null);
  });
}

/** Listed papers per key (`key`, `n` rows of `text`). */
function paperCounts(reader: Reader, name: string, text: string) {
  return counted<number>(async (keys) => {
    const rows = await byIds<{ key: number; n: number }>(reader, name, text)(keys);
    return rows.map((row) => [row.key, row.n]);
  });
}

/** `reader`: this request's (bound to its deadline), or the platform's outside a request. */
export function createPaperLoaders(reader: Reader, viewer: User | null = null) {
  const authorById = authorLoader(reader);
  const topicById = byId<Topic>(byIds(reader, 'loader_topics', TOPICS_BY_ID));
  const relations = relationsLoader(reader, { authorById, topicById });
  const paperById = byId<Paper>(byIds(reader, 'loader_papers', PAPERS_BY_ID));
  return {
    viewerHasUpvoted: votedLoader(reader, viewer),
    paperById,
    /**
     * By normalized arXiv id, hidden papers included (the caller applies visibility.ts); primes
     * paperById. For many keys in one operation (federation's representations); a single paper
     * page reads through reads.ts `paperByArxivId`, shared between requests.
     */
    paperByArxivId: byUniqueText<Paper>(reader, 'loader_papers_by_arxiv_id', PAPERS_BY_ARXIV_ID, (paper) => paper.arxivId, paperById),
    authorById,
    /** orcid and claimedBy of claimed authors (null: unclaimed). */
    authorIdentityById: byId<AuthorIdentity>(byIds(reader, 'loader_author_identities', AUTHOR_IDENTITIES)),
    topicById,
    /** By slug (lower case); primes topicById. */
    topicBySlug: byUniqueText<Topic>(reader, 'loader_topics_by_slug', TOPICS_BY_SLUG, (topic) => topic.slug, topicById),
    userById: byId<User>(byIds(reader, 'loader_users', USERS_BY_ID)),
    /** Byline order, each entry with its author; primes authorById. */
    bylineByPaperId: new DataLoader<number, BylineEntry[]>((paperIds) => relations.loadMany(paperIds.map((id) => 2 * id + BYLINE)).then(unwrap<BylineEntry>)),
    topicsByPaperId: new DataLoader<number, TopicParent[]>((paperIds) => relations.loadMany(paperIds.map((id) => 2 * id + TOPICS)).then(unwrap<TopicParent>)),
    childrenByTopicId: grouped<number, Topic>(async (parentIds) => {
      const rows = await byIds<Topic>(reader, 'loader_child_topics', CHILD_TOPICS)(parentIds);
      return rows.map((row) => [row.parentId!, row]);
    }),
    paperCountByAuthorId: paperCounts(reader, 'loader_author_paper_counts', AUTHOR_PAPER_COUNTS),
    paperCountByTopicId: paperCounts(reader, 'loader_topic_paper_counts', TOPIC_PAPER_COUNTS),
  };
}

export type PaperLoaders = ReturnType<typeof createPaperLoaders>;
