// Who may call each root field, decided in this one place. test/access.test.ts walks the
// schema and fails when a root field has no decision here (or a decision names no field).
//
// DANGER: a wrong entry here exposes or blocks a whole operation. Field-level rules (hidden
// papers, someone else's tokens) live beside their resolvers and are tested there.
import type { User } from '../generated/prisma/client.ts';
import { checkAccess, type Access } from '../catalog/users/index.ts';

export const ACCESS: Record<'Query' | 'Mutation' | 'Subscription', Record<string, Access>> = {
  Query: {
    node: 'public',
    nodes: 'public',
    paper: 'public',
    papers: 'public',
    dailyPapers: 'public',
    trendingPapers: 'public',
    authors: 'public',
    author: 'public',
    topic: 'public',
    topics: 'public',
    viewer: 'public',
    pendingAuthorClaims: 'curator',
    mostCitedPapers: 'public',
    // Federation (src/graphql/federation.ts): reads by key under the same rules as `node(id:)`,
    // and the schema for composition (answered by @apollo/subgraph, as introspection would).
    _entities: 'public',
    _service: 'public',
    // Every endpoint of every user (src/catalog/webhooks/); users list their own as viewer.webhooks.
    webhooks: 'admin',
  },
  Mutation: {
    upvotePaper: 'signedIn',
    removeUpvote: 'signedIn',
    submitPaper: 'signedIn',
    // Further narrowed in the resolver: the submitter, curators and admins.
    updatePaperLinks: 'signedIn',
    hidePaper: 'curator',
    unhidePaper: 'curator',
    tagPaper: 'curator',
    untagPaper: 'curator',
    createTopic: 'curator',
    updateTopic: 'curator',
    importPapers: 'curator',
    createApiToken: 'signedIn',
    revokeApiToken: 'signedIn',
    // Anyone: the address confirms by link. Signed in, the owner changes settings directly.
    subscribeDigest: 'public',
    claimAuthor: 'signedIn',
    approveAuthorClaim: 'curator',
    rejectAuthorClaim: 'curator',
    mergeAuthors: 'curator',
    splitAuthor: 'curator',
    addComment: 'signedIn',
    // Further narrowed in the resolvers: the comment's author only.
    editComment: 'signedIn',
    deleteComment: 'signedIn',
    hideComment: 'curator',
    // Follows and collections: each acts on the caller's own rows only (src/catalog/follows/, src/catalog/collections/).
    followAuthor: 'signedIn',
    followTopic: 'signedIn',
    unfollow: 'signedIn',
    rotateFeedToken: 'signedIn',
    createCollection: 'signedIn',
    addToCollection: 'signedIn',
    removeFromCollection: 'signedIn',
    moveInCollection: 'signedIn',
    // Webhooks (src/catalog/webhooks/): any signed-in user may create endpoints (every event is
    // public); each other mutation is further narrowed to the endpoint's owner or an admin
    // (reads.ts canManage): anyone else's endpoint is NOT_FOUND.
    createWebhook: 'signedIn',
    updateWebhook: 'signedIn',
    rotateWebhookSecret: 'signedIn',
    deleteWebhook: 'signedIn',
    replayWebhookDelivery: 'signedIn',
    replayWebhookDeliveries: 'signedIn',
  },
  Subscription: {
    paperUpdated: 'public',
    papersFeatured: 'public',
    commentAdded: 'public',
    // Anyone for a paper or an author; the viewer's follows need a token (checked in the resolver).
    citationAdded: 'public',
  },
};

type ResolverFn = (parent: unknown, args: unknown, ctx: { viewer: User | null }, info: unknown) => unknown;

/**
 * Wraps every root resolver with its access check. A root field without a decision throws at
 * start-up rather than serving unchecked.
 */
export function withAccess<T extends object>(type: keyof typeof ACCESS, resolvers: T): T {
  const wrapped: Record<string, ResolverFn | { subscribe: ResolverFn }> = {};
  for (const [field, resolve] of Object.entries(resolvers)) {
    const access = ACCESS[type][field];
    if (!access) throw new Error(`${type}.${field} has no access decision in src/graphql/access.ts`);
    const guard = (run: ResolverFn): ResolverFn => (parent, args, ctx, info) => {
      checkAccess(access, ctx.viewer);
      return run(parent, args, ctx, info);
    };
    // A subscription field is { subscribe, resolve }: the check guards `subscribe`, which starts it.
    if (type === 'Subscription' && typeof resolve === 'object' && resolve !== null && typeof resolve.subscribe === 'function') {
      wrapped[field] = { ...resolve, subscribe: guard(resolve.subscribe) };
      continue;
    }
    if (typeof resolve !== 'function') throw new Error(`${type}.${field} must be a plain resolver function`);
    wrapped[field] = guard(resolve as ResolverFn);
  }
  return wrapped as T;
}
