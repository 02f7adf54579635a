// What every resolver gets for one request: the platform, this request's reader and loaders,
// and who is asking. The catalog's composition: the one place that joins the domains' loaders
// and hands the papers' lists the related domain's HYBRID ranking, so that no domain needs to
// import another's insides for them.
import type { Db } from '../platform/db/client.ts';
import { meteredReader, readerUntil, switchableReader, type Deadline, type Reader } from '../platform/db/reader.ts';
import type { CatalogEvents } from '../platform/events/bus.ts';
import type { OperationReport } from '../platform/operation.ts';
import type { Platform } from '../platform/platform.ts';
import type { User } from '../generated/prisma/client.ts';
import { createCitationGraphLoaders, type CitationGraphLoaders } from './citation-graph/index.ts';
import { createCommentLoaders, type CommentLoaders } from './comments/index.ts';
import { createPaperLoaders, type HybridRanker, type PaperLoaders } from './papers/index.ts';
import { createRelatedLoader, hybridRanker, type RelatedLoader } from './related/index.ts';
import { authenticate } from './users/index.ts';

/** Every DataLoader of a request: built per request, never shared between viewers. */
export type Loaders = PaperLoaders & {
  /** `Paper.related(first)`: src/catalog/related/loaders.ts. */
  related: RelatedLoader;
  /** The comment loaders (src/catalog/comments/loaders.ts), built when first asked for. */
  comments: () => CommentLoaders;
  /** The citation graph's loaders (src/catalog/citation-graph/loaders.ts), built when first asked for. */
  citationGraph: () => CitationGraphLoaders;
};

/** `reader`: this request's (bound to its deadline); by default the platform's. */
export function createLoaders(platform: Pick<Platform, 'db' | 'reader' | 'embeddings'>, viewer: User | null = null, reader: Reader = platform.reader): Loaders {
  let comments: CommentLoaders | undefined;
  let citationGraph: CitationGraphLoaders | undefined;
  return Object.assign(createPaperLoaders(reader, viewer), {
    related: createRelatedLoader(reader, platform.embeddings),
    comments: () => (comments ??= createCommentLoaders(platform.db)),
    citationGraph: () => (citationGraph ??= createCitationGraphLoaders(reader)),
  });
}

export interface Context {
  platform: Platform;
  /** The platform's Prisma client (`platform.db`), for writes and the reads Prisma makes. */
  db: Db;
  /** The signed-in user; null when anonymous. */
  viewer: User | null;
  loaders: Loaders;
  /**
   * This request's reads: metered into `operation` (what the request is charged), within the
   * anonymous share of connections when nobody is signed in, and past the deadline (over HTTP)
   * refused.
   */
  reader: Reader;
  /**
   * The operation's deadline (over HTTP), for work that is not a statement: long CPU work such
   * as citation formatting stops there too (src/catalog/citations/format.ts). Absent: none.
   */
  deadline?: Deadline;
  /** HYBRID search's ranking (src/catalog/related/hybrid.ts), for the paper lists. */
  hybrid?: HybridRanker;
  /** Where mutations publish live updates (`platform.events`); absent: nobody listens. */
  events?: CatalogEvents;
  /**
   * With read replicas: this request's reads go to the primary from now on (called once a
   * mutation starts: src/graphql/server.ts), so it reads its own writes.
   */
  readOwnWrites?: () => void;
  /** This operation's report to its transport (see OperationReport). */
  operation: OperationReport;
}

/** `operation`: the report the transport reads (over HTTP, the request's: src/http/request-state.ts). */
export function createContext(platform: Platform, viewer: User | null = null, deadline?: Deadline, operation: OperationReport = {}): Context {
  const routing = switchableReader(platform.reader, platform.primaryReader);
  const metered = meteredReader(routing.reader, operation);
  const shared = !viewer && platform.anonymousShare ? platform.anonymousShare.reader(metered) : metered;
  const reader = deadline ? readerUntil(shared, deadline) : shared;
  return {
    platform,
    db: platform.db,
    viewer,
    reader,
    ...(deadline ? { deadline } : {}),
    loaders: createLoaders(platform, viewer, reader),
    hybrid: hybridRanker(platform.embeddings),
    ...(platform.events ? { events: platform.events } : {}),
    ...(routing.readOwnWrites ? { readOwnWrites: routing.readOwnWrites } : {}),
    operation,
  };
}

/** The context of an HTTP request: authenticates its Authorization header. */
export async function contextFromRequest(
  platform: Platform,
  headers: { authorization?: string | undefined },
  deadline?: Deadline,
  operation?: OperationReport,
): Promise<Context> {
  return createContext(platform, await authenticate(platform, headers.authorization), deadline, operation);
}
