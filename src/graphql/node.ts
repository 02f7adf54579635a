import type { NodeResolvers, QueryResolvers } from '../generated/graphql.ts';
import type { Context } from '../catalog/context.ts';
import { badInput } from '../platform/errors.ts';
import { fromGlobalId, type NodeType } from '../platform/global-id.ts';
import { paperById } from '../catalog/papers/reads.ts';
import { visibleClaim } from '../catalog/authors/claims.ts';
import { reachableComment } from '../catalog/comments/reads.ts';
import { followOf } from '../catalog/follows/reads.ts';
import { collectionFor } from '../catalog/collections/reads.ts';
import { deliveryFor, webhookFor } from '../catalog/webhooks/reads.ts';

const MAX_IDS = 100;

async function load(ctx: Context, globalId: string, argumentName: string) {
  const { type, id } = fromGlobalId(globalId, argumentName);
  switch (type) {
    case 'Paper':
      return paperById(ctx, id);
    case 'ApiToken': {
      // Only its owner may see a token's facts.
      const token = ctx.viewer ? await ctx.db.apiToken.findUnique({ where: { id } }) : null;
      return token?.userId === ctx.viewer?.id ? token : null;
    }
    case 'Author':
      // Also the id of an author merged into another: then the survivor.
      return ctx.loaders.authorById.load(id);
    case 'AuthorClaim':
      return visibleClaim(ctx, id);
    case 'Topic':
      return ctx.loaders.topicById.load(id);
    case 'User':
      return ctx.loaders.userById.load(id);
    case 'Comment':
      return reachableComment(ctx, id);
    case 'Follow':
      return followOf(ctx, id);
    case 'Collection':
      return collectionFor(ctx, id);
    case 'Webhook':
      return webhookFor(ctx, id);
    case 'WebhookDelivery':
      return deliveryFor(ctx, id);
    default: {
      const unreachable: never = type;
      throw new Error(`unhandled node type ${String(unreachable)}`);
    }
  }
}

export const Query: Pick<QueryResolvers, 'node' | 'nodes'> = {
  node: (_parent, { id }, ctx) => load(ctx, id, 'id'),
  nodes(_parent, { ids }, ctx) {
    if (ids.length > MAX_IDS) throw badInput(`ids takes at most ${MAX_IDS} ids; got ${ids.length}`, 'ids');
    return Promise.all(ids.map((id, i) => load(ctx, id, `ids[${i}]`)));
  },
};

/**
 * Rows are plain database records, so the type is told by a column only that table has.
 * Each model must appear here; the `never` check in `load` keeps the two lists together.
 */
export const Node: NodeResolvers = {
  __resolveType(row): NodeType {
    if ('arxivId' in row) return 'Paper';
    if ('orcid' in row && 'status' in row) return 'AuthorClaim';
    if ('normalizedName' in row) return 'Author';
    if ('slug' in row) return 'Topic';
    if ('handle' in row) return 'User';
    if ('tokenHash' in row) return 'ApiToken';
    if ('bodyHtml' in row) return 'Comment';
    if ('authorId' in row && 'topicId' in row) return 'Follow';
    if ('ownerId' in row && 'public' in row) return 'Collection';
    if ('secret' in row && 'events' in row) return 'Webhook';
    if ('durationMs' in row && 'messageId' in row) return 'WebhookDelivery';
    throw new Error('node of unknown type');
  },
};
