// The citation graph: Paper.references, Paper.citedBy and Paper.citationCount, with the types
// beneath them (CitationEdge, CitationPaper, ExternalPaper, CitationCount). The reads and the
// hidden-paper rule on both ends are in reads.ts; the import of snapshots in import.ts.
import { GraphQLError } from 'graphql';
import type {
  CitationAddedResolvers,
  CitationCountResolvers,
  CitationPaperResolvers,
  ExternalPaperResolvers,
  PaperResolvers,
  QueryResolvers,
  SubscriptionResolvers,
} from '../../generated/graphql.ts';
import type { Paper as PaperRow } from '../../generated/prisma/client.ts';
import { badInput, ErrorCode } from '../../platform/errors.ts';
import { channels, type CatalogEvent, type CitationAddition } from '../../platform/events/bus.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { pageRequest, toConnection } from '../../platform/pagination/connection.ts';
import { liveAuthorId } from '../authors/index.ts';
import { isListed, paperSelection } from '../papers/index.ts';
import { announcementsOf, CheckedEvents } from './live.ts';
import {
  citedByCursorOf,
  edgeOf,
  externalOf,
  isExternal,
  monthOf,
  mostCitedCount,
  mostCitedCursorOf,
  mostCitedPage,
  referenceCursorOf,
  type CitationConnectionRow,
  type CitationNode,
  type MostCitedConnectionRow,
} from './reads.ts';
import { createLoaders, type Context } from '../context.ts';

/** The catalog paper of a reference: read through the page's loader (one statement for the page). */
async function referencedPaper(ctx: Context, paperId: number): Promise<PaperRow> {
  // The reference read kept listed papers only, and a paper row is never deleted under a read.
  const paper = await ctx.loaders.paperById.load(paperId);
  if (!paper) throw new Error(`cited paper ${paperId} without its row`);
  return paper;
}

export const Paper: Pick<PaperResolvers, 'references' | 'citedBy' | 'citationCount'> = {
  async references(paper, args, ctx): Promise<CitationConnectionRow> {
    const request = pageRequest(args);
    const graph = ctx.loaders.citationGraph();
    const rows = await graph.references.load({ paperId: paper.id, request });
    const nodes: CitationNode[] = await Promise.all(rows.map((row) => (row.paperId !== null ? referencedPaper(ctx, row.paperId) : externalOf(row))));
    const byKey = new Map(rows.map((row, i) => [row.k, nodes[i]!]));
    return toConnection(rows, request, (row) => edgeOf(referenceCursorOf(row), byKey.get(row.k)!, row), () => graph.referenceCount.load(paper.id));
  },
  async citedBy(paper, { orderBy, ...args }, ctx, info): Promise<CitationConnectionRow> {
    const order = orderBy ?? 'NEWEST';
    const request = pageRequest(args);
    const graph = ctx.loaders.citationGraph();
    const { columns } = paperSelection(info);
    const rows = await graph.citedBy(order, columns).load({ paperId: paper.id, request });
    return toConnection(
      rows,
      request,
      (row) => {
        const { grp: _grp, sortKey: _sortKey, influential: _influential, intents: _intents, sources: _sources, ...citing } = row;
        // A row of the listing columns only is what this selection shows, never a paper to cache.
        if (columns === 'all') ctx.loaders.paperById.prime(citing.id, citing);
        return edgeOf(citedByCursorOf(order, row), citing, row);
      },
      () => graph.inCatalog.load(paper.id),
    );
  },
  citationCount: (paper) => ({ paperId: paper.id }),
};

export const CitationCount: CitationCountResolvers = {
  inCatalog: ({ paperId }, _args, ctx) => ctx.loaders.citationGraph().inCatalog.load(paperId),
  async total({ paperId }, _args, ctx) {
    const [first] = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return first ? { value: first.value, source: first.source, asOf: first.asOf } : null;
  },
  async totals({ paperId }, _args, ctx) {
    const counts = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return counts.map(({ value, source, asOf }) => ({ value, source, asOf }));
  },
  async influential({ paperId }, _args, ctx) {
    const counts = await ctx.loaders.citationGraph().sourceCounts.load(paperId);
    return counts.find((count) => count.source === 'S2')?.influential ?? null;
  },
};

export const CitationPaper: CitationPaperResolvers = {
  __resolveType: (node) => (isExternal(node) ? 'ExternalPaper' : 'Paper'),
};

export const ExternalPaper: ExternalPaperResolvers = {
  title: (work) => work.title,
  year: (work) => work.year,
  arxivId: (work) => work.arxivId,
  doi: (work) => work.doi,
  semanticScholarId: (work) => (work.source === 'S2' ? work.externalId : null),
  openAlexId: (work) => (work.source === 'OPENALEX' ? work.externalId : null),
};

export const Query: Pick<QueryResolvers, 'mostCitedPapers'> = {
  async mostCitedPapers(_parent, { month, ...args }, ctx): Promise<MostCitedConnectionRow> {
    const first = monthOf(month, ctx.platform.now());
    // Forward pages only (first/after), as citedBy: the schema takes no last/before.
    const request = pageRequest(args);
    const rows = await mostCitedPage(ctx.reader, first, request);
    return toConnection(
      rows,
      request,
      (row) => {
        const { citations, ...paper } = row;
        ctx.loaders.paperById.prime(paper.id, paper);
        return { cursor: mostCitedCursorOf(row), node: paper, citations };
      },
      () => mostCitedCount(ctx.reader, first),
    );
  },
};

const notOverHttp = () =>
  new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP', {
    extensions: { code: ErrorCode.BAD_REQUEST },
  });

/** An author's, a user's follows' or a paper's announcements at once: more than the bus's default. */
const MAX_QUEUED_ANNOUNCEMENTS = 1000;

// Whether an event's cited paper is still listed when a subscriber's turn comes: one statement
// per event, shared by its subscribers.
const listedByEvent = new WeakMap<CatalogEvent, Promise<boolean>>();

function stillListed(ctx: Context, event: CatalogEvent): Promise<boolean> {
  if (event.type !== 'citationAdded') return Promise.resolve(false);
  let listed = listedByEvent.get(event);
  if (!listed) {
    listed = ctx.db.paper.findUnique({ where: { id: event.addition.citedPaperId }, select: { hiddenAt: true } }).then((paper) => paper !== null && isListed(paper));
    listedByEvent.set(event, listed);
  }
  return listed;
}

export const Subscription: Required<Pick<SubscriptionResolvers, 'citationAdded'>> = {
  citationAdded: {
    async subscribe(_parent, { paperId, authorId }, ctx) {
      if (!ctx.events) throw notOverHttp();
      if (paperId != null && authorId != null) throw badInput('Pass paperId or authorId, not both', 'authorId');
      let channel: string;
      let follower: number | undefined;
      let check: (() => Promise<void>) | undefined;
      if (paperId != null) {
        const id = fromGlobalIdOf('Paper', paperId, 'paperId');
        channel = channels.citationsOfPaper(id);
        check = async () => {
          const paper = await ctx.db.paper.findUnique({ where: { id }, select: { hiddenAt: true } });
          // Listed papers only, for curators too: hidden papers are on neither side of an edge.
          if (!paper || !isListed(paper)) throw badInput('No listed paper has this id', 'paperId');
        };
      } else if (authorId != null) {
        // A merged-away author's id leads to the survivor, whose papers carry its id now.
        const id = await liveAuthorId(ctx.db, fromGlobalIdOf('Author', authorId, 'authorId'));
        if (id === null) throw badInput('No author has this id', 'authorId');
        channel = channels.citationsOfAuthor(id);
      } else {
        if (!ctx.viewer) {
          throw new GraphQLError('citationAdded without paperId or authorId announces the papers of the authors you follow: sign in, or pass one', {
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          });
        }
        follower = ctx.viewer.id;
        channel = channels.citationsFollowedBy(follower);
      }
      // Listening starts before the checks and the starting point, so nothing read after goes unheard.
      const events = ctx.events.listen(channel, { filter: (event) => event.type === 'citationAdded', maxQueued: MAX_QUEUED_ANNOUNCEMENTS });
      let release: (() => void) | undefined;
      try {
        await check?.();
        release = await announcementsOf(ctx.db, ctx.events).watch(follower);
      } catch (error) {
        await events.return?.();
        throw error;
      }
      return new CheckedEvents(events, (event) => stillListed(ctx, event), release);
    },
    resolve(event: CatalogEvent, _args: unknown, ctx: Context): CitationAddition {
      // Over HTTP, graphql-js runs `resolve` alone, without `subscribe` and so without an event.
      if (!event || event.type !== 'citationAdded') throw notOverHttp();
      // Fresh loaders per event: a subscription's context outlives any one event's data.
      ctx.loaders = createLoaders(ctx.platform, ctx.viewer);
      return event.addition;
    },
  },
};

export const CitationAdded: CitationAddedResolvers = {
  async paper(addition, _args, ctx) {
    const paper = await ctx.loaders.paperById.load(addition.citedPaperId);
    // Checked listed when the event was let through (CheckedEvents); deleted since: nothing to show.
    if (!paper) throw new Error(`cited paper ${addition.citedPaperId} without its row`);
    return paper;
  },
  count: (addition) => addition.count,
  async citingPapers(addition, { first }, ctx) {
    const take = first ?? 5;
    if (take < 1 || take > 5) throw badInput(`first must be between 1 and 5; got ${take}`, 'first');
    const papers = await ctx.loaders.paperById.loadMany(addition.citingPaperIds);
    // DANGER: a citing paper hidden since the import is never shown.
    return papers.filter((paper): paper is PaperRow => paper !== null && !(paper instanceof Error) && isListed(paper)).slice(0, take);
  },
  source: (addition) => addition.source,
  addedAt: (addition) => addition.at,
};
