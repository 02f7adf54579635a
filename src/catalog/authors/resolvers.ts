import { Prisma } from '../../generated/prisma/client.ts';
import type { AuthorBase as AuthorRow } from '../papers/index.ts';
import type { AuthorResolvers, QueryResolvers } from '../../generated/graphql.ts';
import { badInput } from '../../platform/errors.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type Connection } from '../../platform/pagination/connection.ts';
import { listPapers } from '../papers/index.ts';
import { normalizeAuthorName } from './normalize.ts';

const ORDER = 'author-name';
const MAX_WORDS = 8;

export const Query: Pick<QueryResolvers, 'author' | 'authors'> = {
  // The id of an author merged into another gives the survivor (see merge.ts).
  author: (_parent, { id }, ctx) => ctx.loaders.authorById.load(fromGlobalIdOf('Author', id)),

  /**
   * Word-prefix search on normalised names (index catalog_author_name_words_idx): every word
   * typed must start a word of the name, the last one as a prefix. Alphabetical, by keyset.
   */
  async authors(_parent, { query, ...args }, ctx): Promise<Connection<AuthorRow>> {
    const normalized = normalizeAuthorName(query);
    if (!normalized) throw badInput('query must contain at least one letter or digit', 'query');
    if (normalized.length > 100) throw badInput(`query must be at most 100 characters; got ${normalized.length}`, 'query');
    const words = normalized.split(' ').slice(0, MAX_WORDS);
    // normalizeAuthorName leaves only letters, digits and single spaces: valid tsquery words.
    const tsquery = words.map((word, i) => (i === words.length - 1 ? `${word}:*` : word)).join(' & ');
    const match = Prisma.sql`to_tsvector('simple', "normalizedName") @@ to_tsquery('simple', ${tsquery})`;

    const request = pageRequest(args);
    const forward = request.direction === 'forward';
    const cursorArg = forward ? 'after' : 'before';
    let keyset = Prisma.empty;
    if (request.cursor !== null) {
      const [name, id] = decodeCursor(ORDER, request.cursor, 2, cursorArg);
      if (typeof name !== 'string' || typeof id !== 'number' || !Number.isSafeInteger(id)) {
        throw badInput(`${cursorArg} is not a cursor of this list`, cursorArg);
      }
      keyset = Prisma.sql`AND ("normalizedName", id) ${Prisma.raw(forward ? '>' : '<')} (${name}, ${id}::int)`;
    }
    const dir = Prisma.raw(forward ? 'ASC' : 'DESC');
    const rows = await ctx.db.$queryRaw<AuthorRow[]>`
      SELECT id, name, "normalizedName", "createdAt" FROM "Author"
      WHERE ${match} ${keyset}
      ORDER BY "normalizedName" ${dir}, id ${dir}
      LIMIT ${request.take + 1}`;
    return toConnection(
      rows,
      request,
      (node) => ({ cursor: encodeCursor(ORDER, [node.normalizedName, node.id]), node }),
      () => ctx.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Author" WHERE ${match}`.then((r) => r[0]!.n),
    );
  },
};

export const Author: AuthorResolvers = {
  id: (author) => toGlobalId('Author', author.id),
  papers: (author, args, ctx) =>
    listPapers(ctx, args, { scope: [Prisma.sql`EXISTS (SELECT 1 FROM "PaperAuthor" pa WHERE pa."paperId" = p.id AND pa."authorId" = ${author.id})`] }),
  paperCount: (author, _args, ctx) => ctx.loaders.paperCountByAuthorId.load(author.id),
  // Public: an approved claim is what the author page and every byline show.
  orcid: (author, _args, ctx) => ctx.loaders.authorIdentityById.load(author.id).then((identity) => identity?.orcid ?? null),
  claimedBy: async (author, _args, ctx) => {
    const identity = await ctx.loaders.authorIdentityById.load(author.id);
    return identity?.claimedById == null ? null : ctx.loaders.userById.load(identity.claimedById);
  },
};
