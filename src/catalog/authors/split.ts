// splitAuthor: one Author row that is two people (a shared name, "Wei Zhang") becomes two. The
// given papers' byline entries move to a new author; the original keeps everything else,
// including its claims and its aliases. One transaction, the CurationEvent included.
//
// The new author needs a normalised name of its own (Author.normalizedName is the importer's
// unique matching key). By default it is the name followed by a four-digit number, as DBLP
// names homonyms ("Wei Zhang 0002"): later imports of the plain name keep going to the original
// author, which is the only choice a name-matching importer can make; a curator splits again or
// merges where it guessed wrong.
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { truncate } from '../../platform/errors.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { liveAuthorId } from './aliases.ts';
import { lockAuthors, touchPapers } from './merge.ts';
import { normalizeAuthorName } from './normalize.ts';

export const MAX_SPLIT_PAPERS = 500;
const NAME_MAX = 200;

export const Mutation: Pick<MutationResolvers, 'splitAuthor'> = {
  splitAuthor: (_parent, { input }, ctx: Context) =>
    payload({ author: null, newAuthor: null }, async () => {
      const givenId = fromGlobalIdOf('Author', input.authorId, 'input.authorId');
      if (input.paperIds.length < 1 || input.paperIds.length > MAX_SPLIT_PAPERS) {
        throw new UserErrors([userError(['input', 'paperIds'], 'INVALID', `paperIds must list 1 to ${MAX_SPLIT_PAPERS} papers; got ${input.paperIds.length}`)]);
      }
      const paperIds = input.paperIds.map((id, i) => fromGlobalIdOf('Paper', id, `input.paperIds[${i}]`));
      const wanted = [...new Set(paperIds)];
      const name = input.name == null ? null : text(input.name, ['input', 'name'], { max: NAME_MAX });
      const normalizedGiven = name === null ? null : normalizeAuthorName(name);
      if (normalizedGiven === '') {
        throw new UserErrors([userError(['input', 'name'], 'INVALID', `name must contain a letter or digit; got "${truncate(name!)}"`)]);
      }

      const result = await ctx.db.$transaction(async (tx) => {
        const authorId = await liveAuthorId(tx, givenId);
        const original = authorId === null ? undefined : (await lockAuthors(tx, [authorId])).get(authorId);
        if (!original) throw new UserErrors([userError(['input', 'authorId'], 'NOT_FOUND', 'No author has this id')]);

        const onByline = new Set(
          (await tx.$queryRaw<{ paperId: number }[]>`
            SELECT DISTINCT "paperId" FROM "PaperAuthor" WHERE "authorId" = ${original.id} AND "paperId" = ANY(${wanted}::int[])`).map((r) => r.paperId),
        );
        const stranger = paperIds.findIndex((id) => !onByline.has(id));
        if (stranger >= 0) {
          throw new UserErrors([userError(['input', 'paperIds', String(stranger)], 'INVALID', `Paper ${input.paperIds[stranger]} does not list ${original.name} on its byline`)]);
        }
        const [{ total }] = await tx.$queryRaw<[{ total: number }]>`
          SELECT count(DISTINCT "paperId")::int AS total FROM "PaperAuthor" WHERE "authorId" = ${original.id}`;
        if (total === wanted.length) {
          throw new UserErrors([userError(['input', 'paperIds'], 'INVALID', `These are all of ${original.name}'s papers: leave at least one with the author`)]);
        }

        const taken = async (normalized: string) => {
          const [row] = await tx.$queryRaw<{ taken: boolean }[]>`
            SELECT EXISTS (SELECT 1 FROM "Author" WHERE "normalizedName" = ${normalized})
                OR EXISTS (SELECT 1 FROM "AuthorAlias" WHERE "normalizedName" = ${normalized}) AS taken`;
          return row!.taken;
        };
        let newName: string;
        if (name !== null) {
          if (await taken(normalizedGiven!)) {
            const existing = await tx.author.findUnique({ where: { normalizedName: normalizedGiven! } });
            throw new UserErrors([userError(['input', 'name'], 'DUPLICATE', `An author named like "${truncate(name)}" exists: give a name no author has (or merge)`, existing ?? undefined)]);
          }
          newName = name;
        } else {
          let n = 2;
          while (await taken(normalizeAuthorName(`${original.name} ${String(n).padStart(4, '0')}`))) n++;
          newName = `${original.name} ${String(n).padStart(4, '0')}`;
        }

        const created = await tx.author.create({ data: { name: newName, normalizedName: normalizeAuthorName(newName) } });
        await tx.$executeRaw`
          UPDATE "PaperAuthor" SET "authorId" = ${created.id} WHERE "authorId" = ${original.id} AND "paperId" = ANY(${wanted}::int[])`;
        await touchPapers(tx, wanted);
        await tx.curationEvent.create({
          data: {
            actorId: ctx.viewer!.id,
            action: 'author.split',
            authorId: original.id,
            details: { newAuthorId: created.id, newName, papers: wanted },
          },
        });
        const base = { id: true, name: true, normalizedName: true, createdAt: true } as const;
        return {
          author: await tx.author.findUniqueOrThrow({ where: { id: original.id }, select: base }),
          newAuthor: await tx.author.findUniqueOrThrow({ where: { id: created.id }, select: base }),
        };
      });
      ctx.loaders.bylineByPaperId.clearAll();
      ctx.loaders.paperCountByAuthorId.clearAll();
      return result;
    }),
};
