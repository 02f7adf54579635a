// All resolvers, one module per domain: a field `Type.field` lives in src/<domain>/resolvers.ts
// under `Type`, and root fields under `Query` in the domain that owns their type.
import { DateResolver, DateTimeResolver, NonNegativeIntResolver, URLResolver } from 'graphql-scalars';
import type { Resolvers } from './generated/graphql.ts';
import * as authors from './authors/resolvers.ts';
import * as node from './node/resolvers.ts';
import * as papers from './papers/resolvers.ts';
import * as topics from './topics/resolvers.ts';
import * as users from './users/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  Date: DateResolver,
  URL: URLResolver,
  NonNegativeInt: NonNegativeIntResolver,
  Query: {
    ...node.Query,
    ...papers.Query,
    ...authors.Query,
    ...topics.Query,
  },
  Node: node.Node,
  Paper: papers.Paper,
  BylineEntry: papers.BylineEntry,
  HuggingFacePaper: papers.HuggingFacePaper,
  Author: authors.Author,
  Topic: topics.Topic,
  User: users.User,
};
