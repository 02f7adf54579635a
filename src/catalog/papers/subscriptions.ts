// Subscription fields of papers (paperUpdated, papersFeatured; commentAdded is the comments').
// `subscribe` runs once per subscription and returns its events; `resolve`
// runs once per event and hands the paper to the ordinary Paper resolvers.
import type { SubscriptionResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import type { Paper } from '../../generated/prisma/client.ts';
import { badInput, ErrorCode } from '../../platform/errors.ts';
import { createLoaders, type Loaders } from '../context.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { hasUnsafeCharacters } from '../../platform/validation.ts';
import { canSee, visibleTo } from './visibility.ts';
import { GraphQLError } from 'graphql';
import { channels, type CatalogEvent, type CatalogEvents } from '../../platform/events/bus.ts';

const notOverHttp = () =>
  new GraphQLError('Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql, not over HTTP', {
    extensions: { code: ErrorCode.BAD_REQUEST },
  });

function eventsOf(ctx: Context): CatalogEvents {
  if (!ctx.events) throw notOverHttp();
  return ctx.events;
}

// Each event is resolved with fresh loaders (a subscription's context lives as long as it
// does; its loaders would otherwise serve the first event's data forever). Subscribers of the
// same event who are the same viewer share them, so a vote watched by a thousand anonymous
// clients loads the paper's authors once, not a thousand times. Keyed by viewer: never shared
// between viewers (viewerHasUpvoted differs).
const loadersByEvent = new WeakMap<CatalogEvent, Map<number | null, Loaders>>();

function freshLoaders(event: CatalogEvent, ctx: Context): Loaders {
  let byViewer = loadersByEvent.get(event);
  if (!byViewer) loadersByEvent.set(event, (byViewer = new Map()));
  const key = ctx.viewer?.id ?? null;
  let loaders = byViewer.get(key);
  if (!loaders) byViewer.set(key, (loaders = createLoaders(ctx.platform, ctx.viewer)));
  return loaders;
}

function paperOf(event: CatalogEvent | undefined, ctx: Context): Paper {
  // Over HTTP, graphql-js runs `resolve` alone, without `subscribe` and so without an event.
  if (!event || !('paper' in event)) throw notOverHttp();
  ctx.loaders = freshLoaders(event, ctx);
  ctx.loaders.paperById.prime(event.paper.id, event.paper);
  return event.paper;
}

export const Subscription: Required<Pick<SubscriptionResolvers, 'paperUpdated' | 'papersFeatured'>> = {
  paperUpdated: {
    async subscribe(_parent, { id }, ctx) {
      const paperId = fromGlobalIdOf('Paper', id, 'id');
      // Listening starts before the check, so no vote between the two goes unseen.
      // Past events of a paper the viewer may not see (a curator hid it) are not theirs to get.
      const events = eventsOf(ctx).listen(channels.paper(paperId), {
        filter: (event) => event.type === 'paperUpdated' && canSee(ctx.viewer, event.paper),
      });
      // Straight to the database, not through ctx.loaders: an idle subscription keeps its
      // context, and loaders built here would sit in it until the first event.
      const paper = await ctx.db.paper.findUnique({ where: { id: paperId }, select: { hiddenAt: true } });
      if (!visibleTo(ctx.viewer, paper)) {
        await events.return?.();
        throw badInput('No listed paper has this id', 'id');
      }
      return events;
    },
    resolve: (event: CatalogEvent, _args: unknown, ctx: Context) => paperOf(event, ctx),
  },
  papersFeatured: {
    async subscribe(_parent, { topic }, ctx) {
      const slug = topic?.trim().toLowerCase();
      // Checked before the lookup: PostgreSQL refuses NUL in text (a masked internal error), and
      // WebSocket operations do not pass the HTTP side's up-front string check.
      if (slug !== undefined && hasUnsafeCharacters(slug)) throw badInput('topic must be a topic slug, without control characters or broken Unicode', 'topic');
      if (slug !== undefined && !(await ctx.db.topic.findUnique({ where: { slug }, select: { id: true } }))) {
        throw badInput('No topic has this slug', 'topic');
      }
      return eventsOf(ctx).listen(channels.featured, {
        filter: (event) => event.type === 'paperFeatured' && canSee(ctx.viewer, event.paper) && (slug === undefined || event.topics.includes(slug)),
      });
    },
    resolve: (event: CatalogEvent, _args: unknown, ctx: Context) => paperOf(event, ctx),
  },
};
