// All resolvers, one module per domain: a field `Type.field` lives in src/catalog/<domain>/ under
// `Type` (resolvers.ts for reads, mutations.ts for writes), and a root field in the domain
// that owns its type. Root fields are wrapped with their access decision from src/graphql/access.ts.
// Federation's `_entities` and each entity's `__resolveReference`: src/graphql/federation.ts.
import { NonNegativeIntResolver, URLResolver } from 'graphql-scalars';
import { DateScalar, DateTimeScalar } from './scalars.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { withAccess } from './access.ts';
import * as authors from '../catalog/authors/resolvers.ts';
import * as authorClaims from '../catalog/authors/claims.ts';
import * as authorMerge from '../catalog/authors/merge.ts';
import * as authorSplit from '../catalog/authors/split.ts';
import * as comments from '../catalog/comments/resolvers.ts';
import * as commentMutations from '../catalog/comments/mutations.ts';
import * as curation from '../catalog/curation/resolvers.ts';
import * as node from './node.ts';
import * as federation from './federation.ts';
import * as connections from './connections.ts';
import * as paperMutations from '../catalog/papers/mutations.ts';
import * as daily from '../catalog/papers/daily.ts';
import * as digests from '../catalog/digests/resolvers.ts';
import * as paperSubscriptions from '../catalog/papers/subscriptions.ts';
import * as facets from '../catalog/papers/facets.ts';
import * as papers from '../catalog/papers/resolvers.ts';
import * as related from '../catalog/related/resolvers.ts';
import * as topicMutations from '../catalog/topics/mutations.ts';
import * as topics from '../catalog/topics/resolvers.ts';
import * as users from '../catalog/users/resolvers.ts';
import * as votes from '../catalog/votes/resolvers.ts';
import * as follows from '../catalog/follows/resolvers.ts';
import * as collections from '../catalog/collections/resolvers.ts';
import * as collectionMutations from '../catalog/collections/mutations.ts';
import * as citations from '../catalog/citations/resolvers.ts';
import * as citationGraph from '../catalog/citation-graph/resolvers.ts';
import * as webhooks from '../catalog/webhooks/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  URL: URLResolver,
  NonNegativeInt: NonNegativeIntResolver,
  Query: withAccess('Query', {
    ...node.Query,
    ...papers.Query,
    ...daily.Query,
    ...authors.Query,
    ...topics.Query,
    ...users.Query,
    ...authorClaims.Query,
    ...federation.Query,
    ...citationGraph.Query,
    ...webhooks.Query,
  }),
  Mutation: withAccess('Mutation', {
    ...votes.Mutation,
    ...paperMutations.Mutation,
    ...curation.Mutation,
    ...topicMutations.Mutation,
    ...users.Mutation,
    ...digests.Mutation,
    ...authorClaims.Mutation,
    ...authorMerge.Mutation,
    ...authorSplit.Mutation,
    ...commentMutations.Mutation,
    ...follows.Mutation,
    ...collectionMutations.Mutation,
  }),
  Subscription: withAccess('Subscription', { ...paperSubscriptions.Subscription, ...comments.Subscription, ...citationGraph.Subscription }),
  Node: node.Node,
  PaperConnection: { ...connections.Connection, ...papers.PaperConnection },
  AuthorConnection: connections.Connection,
  AuthorClaimConnection: connections.Connection,
  AuthorClaim: authorClaims.AuthorClaim,
  TopicConnection: connections.Connection,
  Paper: { ...papers.Paper, ...votes.Paper, ...comments.Paper, ...citations.Paper, ...citationGraph.Paper, ...related.Paper },
  PaperEdge: papers.PaperEdge,
  PaperFacets: facets.PaperFacets,
  TopicCount: facets.TopicCount,
  DailyPapers: daily.DailyPapers,
  BylineEntry: papers.BylineEntry,
  HuggingFacePaper: papers.HuggingFacePaper,
  Author: authors.Author,
  Topic: topics.Topic,
  User: { ...users.User, ...votes.User, ...authorClaims.User, ...follows.User, ...collections.User, ...related.User, ...webhooks.User },
  Follow: follows.Follow,
  FollowTarget: follows.FollowTarget,
  FollowConnection: connections.Connection,
  Collection: collections.Collection,
  CollectionItem: collections.CollectionItem,
  CollectionConnection: connections.Connection,
  CollectionItemConnection: connections.Connection,
  ApiToken: users.ApiToken,
  Comment: comments.Comment,
  CommentConnection: connections.Connection,
  CitationConnection: connections.Connection,
  CitationCount: citationGraph.CitationCount,
  CitationPaper: citationGraph.CitationPaper,
  ExternalPaper: citationGraph.ExternalPaper,
  MostCitedPaperConnection: connections.Connection,
  CitationAdded: citationGraph.CitationAdded,
  Webhook: webhooks.Webhook,
  WebhookDelivery: webhooks.WebhookDelivery,
  WebhookConnection: connections.Connection,
  WebhookDeliveryConnection: connections.Connection,
};
