// The operations measured, each as the GraphQL document a client sends (POST /graphql, JSON),
// and the inputs they are sent with. The lower bound (bench/lower-bound.ts) answers the same
// variables at POST /<operation name> with the same JSON `data`; bench/run.ts checks that
// both answer alike before measuring either. The three comparison operations (COMPARE_OPERATIONS)
// also carry the document a PostGraphile client would send for the same content
// (bench/postgraphile/server.mjs, amber preset's generated schema).
import pg from 'pg';
import { encodeCursor } from '../src/platform/pagination/connection.ts';
import type { BenchToken } from './catalog.ts';

export const OPERATION_NAMES = ['daily', 'trending', 'search', 'paper', 'deepPage', 'upvote', 'dailyAnon', 'paperCompare', 'newest'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];
/** Measured against PostGraphile too (`--compare`): content both schemas can express alike. */
export const COMPARE_OPERATIONS = ['dailyAnon', 'paperCompare', 'newest'] as const satisfies readonly OperationName[];

export interface Operation {
  name: OperationName;
  title: string;
  /** Reads are held to the throughput goal; the upvote is reported against its bound only. */
  kind: 'read' | 'write';
  signedIn: boolean;
  document: string;
  /**
   * The same content as PostGraphile's amber schema asks for it. Its differences are of naming
   * (upvoteCount, rowId, paperAuthorsByPaperId) and of order within a paper's topics: by topic id
   * there, by name in the API (no order by a joined column without a plugin). Its ids are
   * PostGraphile's own node ids, encoded as the API encodes its own.
   */
  postgraphile?: string;
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
  dailyAnon: {
    name: 'dailyAnon',
    title: 'Daily page: 50 papers of one day by upvotes, anonymous',
    kind: 'read',
    signedIn: false,
    document: `query DailyAnon($date: Date!) {
  dailyPapers(date: $date) {
    papers(first: 50) {
      nodes {
        id arxivId title publishedAt upvotes githubRepo githubStars projectPage
        authors { id name }
        topics { slug name }
      }
    }
  }
}`,
    // UPVOTES DESC (then id DESC) is the API's default order of a day; hiddenAt: null is what
    // the API's listings imply (a smart tag in server.mjs exposes it to `condition`).
    postgraphile: `query DailyAnon($date: Date!) {
  allPapers(condition: { featuredOn: $date, hiddenAt: null }, orderBy: [UPVOTE_COUNT_DESC, ROW_ID_DESC], first: 50) {
    nodes {
      id arxivId title publishedAt upvoteCount githubRepo githubStars projectPage
      paperAuthorsByPaperId(orderBy: POSITION_ASC) { nodes { authorByAuthorId { id name } } }
      paperTopicsByPaperId { nodes { topicByTopicId { slug name } } }
    }
  }
}`,
  },
  paperCompare: {
    name: 'paperCompare',
    title: 'Paper by arXiv id: abstract, authors, topics',
    kind: 'read',
    signedIn: false,
    // A subset of `paper`: what PostGraphile can answer alike (no byline flags, no parent
    // topics, no computed URLs or Hugging Face object).
    document: `query PaperCompare($arxivId: String!) {
  paper(arxivId: $arxivId) {
    id arxivId title abstract publishedAt featuredOn upvotes githubRepo githubStars projectPage
    authors { id name }
    topics { slug name }
  }
}`,
    // "arxivId" has a unique index but no unique constraint: amber makes no paperByArxivId
    // field, only a condition (indexed column) on the list.
    postgraphile: `query PaperCompare($arxivId: String!) {
  allPapers(condition: { arxivId: $arxivId, hiddenAt: null }) {
    nodes {
      id arxivId title abstract publishedAt featuredOn upvoteCount githubRepo githubStars projectPage
      paperAuthorsByPaperId(orderBy: POSITION_ASC) { nodes { authorByAuthorId { id name } } }
      paperTopicsByPaperId { nodes { topicByTopicId { slug name } } }
    }
  }
}`,
  },
  newest: {
    name: 'newest',
    title: 'Newest 50 papers (the default list: featured on, descending)',
    kind: 'read',
    signedIn: false,
    document: `query Newest {
  papers(first: 50) {
    nodes {
      id arxivId title publishedAt featuredOn upvotes githubRepo
      authors { id name }
      topics { slug name }
    }
  }
}`,
    // The API's newest list leaves out papers never featured; `condition` cannot say IS NOT
    // NULL, and DESC puts nulls first. The catalog has none (the equivalence check would see them).
    postgraphile: `query Newest {
  allPapers(condition: { hiddenAt: null }, orderBy: [FEATURED_ON_DESC, ROW_ID_DESC], first: 50) {
    nodes {
      id arxivId title publishedAt featuredOn upvoteCount githubRepo
      paperAuthorsByPaperId(orderBy: POSITION_ASC) { nodes { authorByAuthorId { id name } } }
      paperTopicsByPaperId { nodes { topicByTopicId { slug name } } }
    }
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
      // The cursor the API itself hands out for that row (src/catalog/papers/list.ts: order name, key, id).
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
    case 'dailyAnon':
      return () => ({ variables: { date: pick(inputs.dailyDates) } });
    case 'newest':
      return () => ({ variables: {} });
    case 'trending':
      return () => ({ variables: {} });
    case 'search':
      return () => ({ variables: { query: pick(inputs.searchQueries) } });
    case 'paper':
    case 'paperCompare':
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

export type Target = 'api' | 'lowerBound' | 'postgraphile';

export interface HttpCall {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** The HTTP request of a call: a GraphQL POST for the API and PostGraphile, the bare variables for the bound. */
export function toHttp(target: Target, op: OperationName, call: Call): HttpCall {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (target === 'lowerBound') return { path: `/${op}`, body: JSON.stringify(call.variables), headers };
  const document = target === 'postgraphile' ? OPERATIONS[op].postgraphile : OPERATIONS[op].document;
  if (!document) throw new Error(`${op} has no PostGraphile document`);
  return { path: '/graphql', body: JSON.stringify({ query: document, variables: call.variables }), headers };
}

/** What must be alike in the API's and PostGraphile's answers: papers, order, bylines, topics. */
export interface ComparablePaper {
  arxivId: string;
  title: string;
  abstract?: string;
  authors: string[];
  /** Sorted: the two order a paper's topics differently (see Operation.postgraphile). */
  topics: string[];
}

/** The papers of an answer of a comparison operation, from either server. */
export function comparablePapers(target: 'api' | 'postgraphile', data: any): ComparablePaper[] {
  const api = target === 'api';
  const list: any[] = api ? (data?.dailyPapers?.papers?.nodes ?? data?.papers?.nodes ?? (data?.paper ? [data.paper] : [])) : (data?.allPapers?.nodes ?? []);
  return list.map((p) => ({
    arxivId: p.arxivId,
    title: p.title,
    ...(p.abstract !== undefined ? { abstract: p.abstract } : {}),
    authors: api ? p.authors.map((a: any) => a.name) : p.paperAuthorsByPaperId.nodes.map((n: any) => n.authorByAuthorId.name),
    topics: (api ? p.topics.map((t: any) => t.slug) : p.paperTopicsByPaperId.nodes.map((n: any) => n.topicByTopicId.slug)).sort(),
  }));
}
