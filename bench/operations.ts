// The operations measured, each as the GraphQL document a client sends (POST /graphql, JSON),
// and the inputs they are sent with. The lower bound (bench/lower-bound.ts) answers the same
// variables at POST /<operation name> with the same JSON `data`; bench/run.ts checks that
// both answer alike before measuring either.
import pg from 'pg';
import { encodeCursor } from '../src/pagination/connection.ts';
import type { BenchToken } from './catalog.ts';

export const OPERATION_NAMES = ['daily', 'trending', 'search', 'paper', 'deepPage', 'upvote'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export interface Operation {
  name: OperationName;
  title: string;
  /** Reads are held to the throughput goal; the upvote is reported against its bound only. */
  kind: 'read' | 'write';
  signedIn: boolean;
  document: string;
}

export const PAGE_SIZE = 50;
/** Page 500 of the newest list at 50 per page: rows 24,951-25,000. */
export const DEEP_PAGE = 500;

export const OPERATIONS: Record<OperationName, Operation> = {
  daily: {
    name: 'daily',
    title: 'Daily page: 50 papers of one day, signed in',
    kind: 'read',
    signedIn: true,
    document: `query DailyPage($date: Date!) {
  dailyPapers(date: $date) {
    date
    papers(first: 50) {
      nodes {
        id arxivId title publishedAt upvotes viewerHasUpvoted githubRepo githubStars projectPage
        authors { id name }
        topics { slug name }
      }
    }
  }
}`,
  },
  trending: {
    name: 'trending',
    title: 'Trending page: WEEK, first 50',
    kind: 'read',
    signedIn: false,
    document: `query Trending {
  trendingPapers(window: WEEK, first: 50) {
    nodes {
      id arxivId title publishedAt upvotes githubRepo githubStars
      authors { id name }
      topics { slug name }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  search: {
    name: 'search',
    title: 'Full-text search: 20 hits with snippets',
    kind: 'read',
    signedIn: false,
    document: `query Search($query: String!) {
  papers(query: $query, first: 20) {
    edges {
      node { id arxivId title publishedAt upvotes authors { id name } }
      highlight { title abstract }
    }
  }
}`,
  },
  paper: {
    name: 'paper',
    title: 'Paper page by arXiv id, everything',
    kind: 'read',
    signedIn: false,
    document: `query PaperPage($arxivId: String!) {
  paper(arxivId: $arxivId) {
    id arxivId title abstract publishedAt featuredOn upvotes viewerHasUpvoted
    githubRepo githubStars projectPage arxivUrl pdfUrl arxivUpdatedAt primaryCategory doi journalRef
    arxivComment aiSummary aiKeywords organization createdAt updatedAt
    huggingFace { upvotes comments submitter }
    submittedBy { id handle displayName }
    byline { position affiliation hidden author { id name } }
    topics { id slug name parent { id slug name } }
  }
}`,
  },
  deepPage: {
    name: 'deepPage',
    title: 'Newest list, deep page (keyset cursor)',
    kind: 'read',
    signedIn: false,
    document: `query Newest($after: String) {
  papers(first: 50, after: $after) {
    nodes {
      id arxivId title publishedAt featuredOn upvotes githubRepo
      authors { id name }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  upvote: {
    name: 'upvote',
    title: 'Upvote: random users, random papers',
    kind: 'write',
    signedIn: true,
    document: `mutation Upvote($paperId: ID!) {
  upvotePaper(paperId: $paperId) {
    paper { id upvotes viewerHasUpvoted }
    userErrors { field code message }
  }
}`,
  },
};

/**
 * Everyday queries, a few hundred to a few thousand hits each at 100k papers (none of the
 * catalog's most common words: "model" alone would rank 80% of it).
 */
export const SEARCH_QUERIES = [
  'video generation',
  'robot policy',
  'retrieval augmentation',
  'state space models',
  '"world models" -survey',
  'speech recognition',
  'mixture of experts',
  'math reasoning',
  'protein',
  'emergent communication',
];

export interface Inputs {
  /** The most recent full days with at least 50 papers (not the catalog's own today). */
  dailyDates: string[];
  searchQueries: string[];
  /** A deterministic sample of listed papers. */
  arxivIds: string[];
  paperGlobalIds: string[];
  deepPage: { page: number; after: string; firstRow: number };
  tokens: BenchToken[];
}

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');

export async function loadInputs(url: string, tokens: BenchToken[]): Promise<Inputs> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const days = await client.query<{ day: string }>(`
      SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day FROM "Paper"
      WHERE "featuredOn" IS NOT NULL AND "hiddenAt" IS NULL
      GROUP BY "featuredOn" HAVING count(*) >= ${PAGE_SIZE} ORDER BY "featuredOn" DESC LIMIT 8`);
    const sample = await client.query<{ id: number; arxivId: string }>(
      `SELECT id, "arxivId" FROM "Paper" WHERE "hiddenAt" IS NULL ORDER BY md5(id::text) LIMIT 2000`,
    );
    // Page 500 when the list has it, else its middle page (10k papers have 200 pages).
    const listed = Number((await client.query(`SELECT count(*) FROM "Paper" WHERE "hiddenAt" IS NULL AND "featuredOn" IS NOT NULL`)).rows[0].count);
    const page = Math.min(DEEP_PAGE, Math.floor(listed / PAGE_SIZE / 2));
    const before = await client.query<{ day: string; id: number }>(
      `SELECT to_char("featuredOn", 'YYYY-MM-DD') AS day, id FROM "Paper"
       WHERE "hiddenAt" IS NULL AND "featuredOn" IS NOT NULL
       ORDER BY "featuredOn" DESC, id DESC OFFSET $1 LIMIT 1`,
      [(page - 1) * PAGE_SIZE - 1],
    );
    const last = before.rows[0]!;
    return {
      // Today's list is still filling (votes up to the catalog's `today`): skip it.
      dailyDates: days.rows.slice(1).map((r) => r.day),
      searchQueries: SEARCH_QUERIES,
      arxivIds: sample.rows.map((r) => r.arxivId),
      paperGlobalIds: sample.rows.map((r) => globalId('Paper', r.id)),
      // The cursor the API itself hands out for that row (src/papers/list.ts: order name, key, id).
      deepPage: { page, after: encodeCursor('FEATURED_ON:DESC', [last.day, last.id]), firstRow: (page - 1) * PAGE_SIZE + 1 },
      tokens,
    };
  } finally {
    await client.end();
  }
}

/** Small, seeded, fast: the same run sends the same sequence of requests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Call {
  variables: Record<string, unknown>;
  token?: string;
}

/** The next call of an operation: variables and, signed in, whose token. */
export function callMaker(op: OperationName, inputs: Inputs, seed: number): () => Call {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  switch (op) {
    case 'daily':
      return () => ({ variables: { date: pick(inputs.dailyDates) }, token: pick(inputs.tokens).token });
    case 'trending':
      return () => ({ variables: {} });
    case 'search':
      return () => ({ variables: { query: pick(inputs.searchQueries) } });
    case 'paper':
      return () => ({ variables: { arxivId: pick(inputs.arxivIds) } });
    case 'deepPage':
      return () => ({ variables: { after: inputs.deepPage.after } });
    case 'upvote':
      return () => ({ variables: { paperId: pick(inputs.paperGlobalIds) }, token: pick(inputs.tokens).token });
    default: {
      const unreachable: never = op;
      throw new Error(`unknown operation ${String(unreachable)}`);
    }
  }
}

export type Target = 'api' | 'lowerBound';

export interface HttpCall {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** The HTTP request of a call: a GraphQL POST for the API, the bare variables for the bound. */
export function toHttp(target: Target, op: OperationName, call: Call): HttpCall {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (target === 'lowerBound') return { path: `/${op}`, body: JSON.stringify(call.variables), headers };
  return { path: '/graphql', body: JSON.stringify({ query: OPERATIONS[op].document, variables: call.variables }), headers };
}
