import type { AuthorResolvers, QueryResolvers } from '../generated/graphql.ts';
import { fromGlobalIdOf, toGlobalId } from '../node/global-id.ts';
import { featuredPapers } from '../papers/resolvers.ts';

export const Query: Pick<QueryResolvers, 'author'> = {
  author: (_parent, { id }, ctx) => ctx.loaders.authorById.load(fromGlobalIdOf('Author', id)),
};

export const Author: AuthorResolvers = {
  id: (author) => toGlobalId('Author', author.id),
  papers: (author, args, ctx) => featuredPapers(ctx, args, { authors: { some: { authorId: author.id } } }),
  paperCount: (author, _args, ctx) => ctx.loaders.paperCountByAuthorId.load(author.id),
};
