// All resolvers, one module per domain: a field `Type.field` lives in src/<domain>/ under
// `Type` (resolvers.ts for reads, mutations.ts for writes), and a root field in the domain
// that owns its type. Root fields are wrapped with their access decision from src/access.ts.
import { DateResolver, DateTimeResolver, NonNegativeIntResolver, URLResolver } from 'graphql-scalars';
import type { Resolvers } from './generated/graphql.ts';
import { withAccess } from './access.ts';
import * as authors from './authors/resolvers.ts';
import * as authorClaims from './authors/claims.ts';
import * as authorMerge from './authors/merge.ts';
import * as authorSplit from './authors/split.ts';
import * as comments from './comments/resolvers.ts';
import * as commentMutations from './comments/mutations.ts';
import * as curation from './curation/resolvers.ts';
import * as node from './node/resolvers.ts';
import * as connections from './pagination/resolvers.ts';
import * as paperMutations from './papers/mutations.ts';
import * as daily from './papers/daily.ts';
import * as digests from './follow/digests/resolvers.ts';
import * as live from './follow/live/resolvers.ts';
import * as facets from './papers/facets.ts';
import * as papers from './papers/resolvers.ts';
import * as related from './related/resolvers.ts';
import * as topicMutations from './topics/mutations.ts';
import * as topics from './topics/resolvers.ts';
import * as users from './users/resolvers.ts';
import * as votes from './votes/resolvers.ts';
import * as follows from './follows/resolvers.ts';
import * as collections from './collections/resolvers.ts';
import * as collectionMutations from './collections/mutations.ts';
import * as citations from './citations/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Date: DateResolver,
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
  Subscription: withAccess('Subscription', { ...live.Subscription, ...comments.Subscription }),
  Node: node.Node,
  PaperConnection: connections.Connection,
  AuthorConnection: connections.Connection,
  AuthorClaimConnection: connections.Connection,
  AuthorClaim: authorClaims.AuthorClaim,
  TopicConnection: connections.Connection,
  Paper: { ...papers.Paper, ...votes.Paper, ...comments.Paper, ...citations.Paper, ...related.Paper },
  PaperEdge: papers.PaperEdge,
  PaperFacets: facets.PaperFacets,
  TopicCount: facets.TopicCount,
  DailyPapers: daily.DailyPapers,
  BylineEntry: papers.BylineEntry,
  HuggingFacePaper: papers.HuggingFacePaper,
  Author: authors.Author,
  Topic: topics.Topic,
  User: { ...users.User, ...votes.User, ...authorClaims.User, ...follows.User, ...collections.User, ...related.User },
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
};
