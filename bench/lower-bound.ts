// The lower bound: what answering each benchmark operation costs with nothing but node:http,
// `pg` and one hand-written SQL statement, with the whole JSON response built inside Postgres
// (json_build_object / json_agg) and passed through as text. No GraphQL, no ORM, no DataLoader,
// no per-field work in JavaScript. It answers the same variables as the API (POST /<operation>,
// JSON body = the GraphQL variables, same Authorization header) with the same `data`, which
// bench/run.ts checks before measuring.
//
// Run: DATABASE_URL=postgresql://... PORT=4100 node --import tsx bench/lower-bound.ts
// Same pool size as the API (src/platform/db/client.ts: 10).
import { createHash } from 'node:crypto';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/** `Type:id` as the API's opaque global id (src/platform/global-id.ts): base64url, no padding. */
const gid = (type: string, expr: string) => `rtrim(translate(encode(convert_to('${type}:' || (${expr}), 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
const ts = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const day = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;
/** src/catalog/papers/list.ts toHtml(): escape, then ⟦ ⟧ become <mark> </mark>. */
const html = (expr: string) =>
  `replace(replace(replace(replace(replace(replace(replace(${expr}, '&', '&#38;'), '<', '&#60;'), '>', '&#62;'), '"', '&#34;'), '''', '&#39;'), '⟦', '<mark>'), '⟧', '</mark>')`;

const authorsOf = (paper: string) => `(SELECT coalesce(json_agg(json_build_object('id', ${gid('Author', 'a.id')}, 'name', a.name) ORDER BY pa.position), '[]')
    FROM "PaperAuthor" pa JOIN "Author" a ON a.id = pa."authorId" WHERE pa."paperId" = ${paper})`;
const topicsOf = (paper: string) => `(SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name, t.id), '[]')
    FROM "PaperTopic" pt JOIN "Topic" t ON t.id = pt."topicId" WHERE pt."paperId" = ${paper})`;
/** base64url(JSON.stringify([order, key, id])): src/platform/pagination/connection.ts encodeCursor. */
const cursor = (json: string) => `rtrim(translate(encode(convert_to(${json}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;

interface Route {
  sql: string;
  /** Parameters from the variables and the token's hash (null: no token sent). */
  params(variables: Record<string, unknown>, tokenHash: string | null): unknown[];
  /** The statement's `ok` column says whether the token was valid. */
  signedIn: boolean;
}

export const ROUTES: Record<string, Route> = {
  // $1 date, $2 token hash. UPVOTES DESC is the daily list's default order.
  daily: {
    signedIn: true,
    params: (v, hash) => [v.date, hash],
    sql: `
WITH viewer AS (
  SELECT t."userId" AS id FROM "ApiToken" t WHERE t."tokenHash" = $2 AND t."revokedAt" IS NULL
), page AS (
  SELECT p.id, p."arxivId", p.title, p."publishedAt", p."upvoteCount", p."githubRepo", p."githubStars", p."projectPage"
  FROM "Paper" p WHERE p."hiddenAt" IS NULL AND p."featuredOn" = $1::date
  ORDER BY p."upvoteCount" DESC, p.id DESC LIMIT 50
)
SELECT EXISTS (SELECT 1 FROM viewer) AS ok, json_build_object('data', json_build_object('dailyPapers', json_build_object(
  'date', ${day('$1::date')},
  'papers', json_build_object('nodes', coalesce((SELECT json_agg(json_build_object(
    'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'publishedAt', ${ts('p."publishedAt"')},
    'upvotes', p."upvoteCount",
    'viewerHasUpvoted', EXISTS (SELECT 1 FROM "Vote" v JOIN viewer ON v."userId" = viewer.id WHERE v."paperId" = p.id),
    'githubRepo', p."githubRepo", 'githubStars', p."githubStars", 'projectPage', p."projectPage",
    'authors', ${authorsOf('p.id')}, 'topics', ${topicsOf('p.id')}
  ) ORDER BY p."upvoteCount" DESC, p.id DESC) FROM page p), '[]'))
)))::text AS body`,
  },

  trending: {
    signedIn: false,
    params: () => [],
    sql: `
WITH page AS (
  SELECT p.id, p."arxivId", p.title, p."publishedAt", p."upvoteCount", p."githubRepo", p."githubStars", t.score,
         row_number() OVER (ORDER BY t.score DESC, p.id DESC) AS n
  FROM "Paper" p JOIN "PaperTrend" t ON t."paperId" = p.id AND t."window" = 'WEEK'
  WHERE p."hiddenAt" IS NULL
  ORDER BY t.score DESC, p.id DESC LIMIT 51
)
SELECT json_build_object('data', json_build_object('trendingPapers', json_build_object(
  'nodes', coalesce((SELECT json_agg(json_build_object(
    'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'publishedAt', ${ts('p."publishedAt"')},
    'upvotes', p."upvoteCount", 'githubRepo', p."githubRepo", 'githubStars', p."githubStars",
    'authors', ${authorsOf('p.id')}, 'topics', ${topicsOf('p.id')}
  ) ORDER BY p.n) FROM page p WHERE p.n <= 50), '[]'),
  'pageInfo', json_build_object(
    'hasNextPage', EXISTS (SELECT 1 FROM page WHERE n = 51),
    'endCursor', (SELECT ${cursor(`'["TRENDING:DESC:WEEK",' || p.score::text || ',' || p.id || ']'`)} FROM page p WHERE p.n <= 50 ORDER BY p.n DESC LIMIT 1))
)))::text AS body`,
  },

  // $1 the query, web-search syntax. Snippets only for the page's 20 rows.
  search: {
    signedIn: false,
    params: (v) => [v.query],
    sql: `
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q), page AS (
  SELECT p.id, p."arxivId", p.title, p.abstract, p."publishedAt", p."upvoteCount", ts_rank_cd(p."searchVector", q.q)::float8 AS rank
  FROM "Paper" p, q WHERE p."hiddenAt" IS NULL AND p."searchVector" @@ q.q
  ORDER BY rank DESC, p.id DESC LIMIT 20
)
SELECT json_build_object('data', json_build_object('papers', json_build_object('edges', coalesce((SELECT json_agg(json_build_object(
  'node', json_build_object('id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title,
    'publishedAt', ${ts('p."publishedAt"')}, 'upvotes', p."upvoteCount", 'authors', ${authorsOf('p.id')}),
  'highlight', json_build_object(
    'title', ${html(`ts_headline('english', translate(p.title, '⟦⟧', '[]'), q.q, 'HighlightAll=true, StartSel=⟦, StopSel=⟧')`)},
    'abstract', ${html(`ts_headline('english', translate(p.abstract, '⟦⟧', '[]'), q.q, 'MaxFragments=2, MaxWords=35, MinWords=15, StartSel=⟦, StopSel=⟧, FragmentDelimiter=" … "')`)})
) ORDER BY p.rank DESC, p.id DESC) FROM page p, q), '[]'))))::text AS body`,
  },

  // $1 the versionless arXiv id.
  paper: {
    signedIn: false,
    params: (v) => [String(v.arxivId).replace(/v\d+$/, '')],
    sql: `
SELECT json_build_object('data', json_build_object('paper', (SELECT json_build_object(
  'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'abstract', p.abstract,
  'publishedAt', ${ts('p."publishedAt"')}, 'featuredOn', ${day('p."featuredOn"')}, 'upvotes', p."upvoteCount",
  'viewerHasUpvoted', false, 'githubRepo', p."githubRepo", 'githubStars', p."githubStars", 'projectPage', p."projectPage",
  'arxivUrl', 'https://arxiv.org/abs/' || p."arxivId", 'pdfUrl', 'https://arxiv.org/pdf/' || p."arxivId",
  'arxivUpdatedAt', ${ts('p."arxivUpdatedAt"')}, 'primaryCategory', p."primaryCategory", 'doi', p.doi,
  'journalRef', p."journalRef", 'arxivComment', p."arxivComment", 'aiSummary', p."aiSummary",
  'aiKeywords', CASE WHEN jsonb_typeof(p."aiKeywords") = 'array' THEN coalesce((SELECT json_agg(k #>> '{}')
    FROM jsonb_array_elements(p."aiKeywords") k WHERE jsonb_typeof(k) = 'string'), '[]') END,
  'organization', p.organization, 'createdAt', ${ts('p."createdAt"')}, 'updatedAt', ${ts('p."updatedAt"')},
  'huggingFace', CASE WHEN p."hfUpvotes" IS NOT NULL OR p."hfComments" IS NOT NULL OR p."hfSubmitterHandle" IS NOT NULL
    THEN json_build_object('upvotes', p."hfUpvotes", 'comments', p."hfComments", 'submitter', p."hfSubmitterHandle") END,
  'submittedBy', (SELECT json_build_object('id', ${gid('User', 'u.id')}, 'handle', u.handle, 'displayName', u."displayName")
    FROM "User" u WHERE u.id = p."submittedById"),
  'byline', (SELECT coalesce(json_agg(json_build_object('position', pa.position, 'affiliation', pa.affiliation, 'hidden', pa.hidden,
      'author', json_build_object('id', ${gid('Author', 'a.id')}, 'name', a.name)) ORDER BY pa.position), '[]')
    FROM "PaperAuthor" pa JOIN "Author" a ON a.id = pa."authorId" WHERE pa."paperId" = p.id),
  'topics', (SELECT coalesce(json_agg(json_build_object('id', ${gid('Topic', 't.id')}, 'slug', t.slug, 'name', t.name,
      'parent', (SELECT json_build_object('id', ${gid('Topic', 'r.id')}, 'slug', r.slug, 'name', r.name) FROM "Topic" r WHERE r.id = t."parentId"))
      ORDER BY t.name, t.id), '[]')
    FROM "PaperTopic" pt JOIN "Topic" t ON t.id = pt."topicId" WHERE pt."paperId" = p.id)
) FROM "Paper" p WHERE p."arxivId" = $1 AND p."hiddenAt" IS NULL)))::text AS body`,
  },

  // $1 featuredOn, $2 id of the cursor's row: the newest list (FEATURED_ON DESC) after it.
  deepPage: {
    signedIn: false,
    params: (v) => {
      const [order, key, id] = JSON.parse(Buffer.from(String(v.after), 'base64url').toString('utf8')) as [string, string, number];
      if (order !== 'FEATURED_ON:DESC') throw new Error('not a cursor of the newest list');
      return [key, id];
    },
    sql: `
WITH page AS (
  SELECT p.id, p."arxivId", p.title, p."publishedAt", p."featuredOn", p."upvoteCount", p."githubRepo",
         row_number() OVER (ORDER BY p."featuredOn" DESC, p.id DESC) AS n
  FROM "Paper" p
  WHERE p."hiddenAt" IS NULL AND p."featuredOn" IS NOT NULL AND (p."featuredOn", p.id) < ($1::date, $2::int)
  ORDER BY p."featuredOn" DESC, p.id DESC LIMIT 51
)
SELECT json_build_object('data', json_build_object('papers', json_build_object(
  'nodes', coalesce((SELECT json_agg(json_build_object(
    'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'publishedAt', ${ts('p."publishedAt"')},
    'featuredOn', ${day('p."featuredOn"')}, 'upvotes', p."upvoteCount", 'githubRepo', p."githubRepo",
    'authors', ${authorsOf('p.id')}
  ) ORDER BY p.n) FROM page p WHERE p.n <= 50), '[]'),
  'pageInfo', json_build_object(
    'hasNextPage', EXISTS (SELECT 1 FROM page WHERE n = 51),
    'endCursor', (SELECT ${cursor(`'["FEATURED_ON:DESC","' || ${day('p."featuredOn"')} || '",' || p.id || ']'`)} FROM page p WHERE p.n <= 50 ORDER BY p.n DESC LIMIT 1))
)))::text AS body`,
  },

  // The comparison operations (bench/operations.ts COMPARE_OPERATIONS). $1 date.
  dailyAnon: {
    signedIn: false,
    params: (v) => [v.date],
    sql: `
WITH page AS (
  SELECT p.id, p."arxivId", p.title, p."publishedAt", p."upvoteCount", p."githubRepo", p."githubStars", p."projectPage"
  FROM "Paper" p WHERE p."hiddenAt" IS NULL AND p."featuredOn" = $1::date
  ORDER BY p."upvoteCount" DESC, p.id DESC LIMIT 50
)
SELECT json_build_object('data', json_build_object('dailyPapers', json_build_object(
  'papers', json_build_object('nodes', coalesce((SELECT json_agg(json_build_object(
    'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'publishedAt', ${ts('p."publishedAt"')},
    'upvotes', p."upvoteCount", 'githubRepo', p."githubRepo", 'githubStars', p."githubStars", 'projectPage', p."projectPage",
    'authors', ${authorsOf('p.id')}, 'topics', ${topicsOf('p.id')}
  ) ORDER BY p."upvoteCount" DESC, p.id DESC) FROM page p), '[]'))
)))::text AS body`,
  },

  // $1 the versionless arXiv id.
  paperCompare: {
    signedIn: false,
    params: (v) => [String(v.arxivId).replace(/v\d+$/, '')],
    sql: `
SELECT json_build_object('data', json_build_object('paper', (SELECT json_build_object(
  'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'abstract', p.abstract,
  'publishedAt', ${ts('p."publishedAt"')}, 'featuredOn', ${day('p."featuredOn"')}, 'upvotes', p."upvoteCount",
  'githubRepo', p."githubRepo", 'githubStars', p."githubStars", 'projectPage', p."projectPage",
  'authors', ${authorsOf('p.id')}, 'topics', ${topicsOf('p.id')}
) FROM "Paper" p WHERE p."arxivId" = $1 AND p."hiddenAt" IS NULL)))::text AS body`,
  },

  // The first page of the newest list (FEATURED_ON DESC, the API's default order).
  newest: {
    signedIn: false,
    params: () => [],
    sql: `
WITH page AS (
  SELECT p.id, p."arxivId", p.title, p."publishedAt", p."featuredOn", p."upvoteCount", p."githubRepo"
  FROM "Paper" p WHERE p."hiddenAt" IS NULL AND p."featuredOn" IS NOT NULL
  ORDER BY p."featuredOn" DESC, p.id DESC LIMIT 50
)
SELECT json_build_object('data', json_build_object('papers', json_build_object(
  'nodes', coalesce((SELECT json_agg(json_build_object(
    'id', ${gid('Paper', 'p.id')}, 'arxivId', p."arxivId", 'title', p.title, 'publishedAt', ${ts('p."publishedAt"')},
    'featuredOn', ${day('p."featuredOn"')}, 'upvotes', p."upvoteCount", 'githubRepo', p."githubRepo",
    'authors', ${authorsOf('p.id')}, 'topics', ${topicsOf('p.id')}
  ) ORDER BY p."featuredOn" DESC, p.id DESC) FROM page p), '[]')
)))::text AS body`,
  },

  // $1 token hash, $2 paper id. Vote and count in one statement, as src/catalog/votes/resolvers.ts does.
  upvote: {
    signedIn: true,
    params: (v, hash) => {
      const decoded = /^Paper:(\d+)$/.exec(Buffer.from(String(v.paperId), 'base64url').toString('utf8'));
      return [hash, decoded ? Number(decoded[1]) : 0];
    },
    sql: `
WITH viewer AS (
  SELECT t."userId" AS id FROM "ApiToken" t WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL
), vote AS (
  INSERT INTO "Vote" ("userId", "paperId")
  SELECT viewer.id, p.id FROM viewer, "Paper" p WHERE p.id = $2 AND p."hiddenAt" IS NULL
  ON CONFLICT DO NOTHING RETURNING 1
), paper AS (
  UPDATE "Paper" SET "upvoteCount" = "upvoteCount" + (SELECT count(*) FROM vote)
  WHERE id = $2 AND "hiddenAt" IS NULL AND EXISTS (SELECT 1 FROM viewer)
  RETURNING id, "upvoteCount"
)
SELECT EXISTS (SELECT 1 FROM viewer) AS ok, json_build_object('data', json_build_object('upvotePaper', json_build_object(
  'paper', (SELECT json_build_object('id', ${gid('Paper', 'p.id')}, 'upvotes', p."upvoteCount", 'viewerHasUpvoted', true) FROM paper p),
  'userErrors', CASE WHEN EXISTS (SELECT 1 FROM paper) THEN '[]'::json
    ELSE json_build_array(json_build_object('field', json_build_array('paperId'), 'code', 'NOT_FOUND', 'message', 'No paper has this id')) END
)))::text AS body`,
  },
};

export const LOWER_BOUND_ROUTES = Object.keys(ROUTES);

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function createLowerBound(pool: pg.Pool): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.slice(1);
    if (path === 'readyz') {
      pool.query('SELECT 1').then(() => send(res, 200, '{"status":"ok"}'), () => send(res, 503, '{"status":"database unreachable"}'));
      return;
    }
    const route = ROUTES[path];
    if (!route || req.method !== 'POST') {
      req.resume();
      return send(res, 404, '{"error":"not found"}');
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const variables = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
          const token = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
          const hash = token ? createHash('sha256').update(token).digest('hex') : null;
          if (route.signedIn && !hash) return send(res, 401, '{"errors":[{"message":"Invalid API token","extensions":{"code":"UNAUTHENTICATED"}}]}');
          // Named: prepared once per connection, as any server would (planning is most of a
          // short statement's time).
          const { rows } = await pool.query<{ ok?: boolean; body: string }>({ name: path, text: route.sql, values: route.params(variables, hash) });
          const row = rows[0]!;
          if (route.signedIn && !row.ok) return send(res, 401, '{"errors":[{"message":"Invalid API token","extensions":{"code":"UNAUTHENTICATED"}}]}');
          send(res, 200, row.body);
        } catch (error) {
          send(res, 500, JSON.stringify({ errors: [{ message: String((error as Error).message ?? error) }] }));
        }
      })();
    });
  });
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must name the bench database');
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.POOL_SIZE ?? 10) });
  const server = createLowerBound(pool);
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 4100), process.env.HOST ?? '127.0.0.1', resolve));
  const stop = () => {
    server.close(() => void pool.end().then(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
