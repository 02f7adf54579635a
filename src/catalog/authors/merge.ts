// mergeAuthors: two Author rows that are one person become one. Everything runs in ONE
// transaction, the CurationEvent included: a failure at any step leaves both authors as they were.
//
// How the removed author's ids keep working: its row is deleted and an AuthorAlias row takes
// its id (the number inside its global id) and its normalised name, pointing at the survivor.
// `authorById` (node, author), `filter.author`, the author feeds and `liveAuthorId` (mutations)
// consult it; the importer and submitPaper match the removed spelling to the survivor. Aliases
// of the removed author are re-pointed, so an alias never leads to a removed author (one hop).
//
// What moves, step by step (MOVED_AUTHOR_REFERENCES names every column that points at Author;
// test/authors.test.ts fails when a table with a foreign key to Author is added without a step
// here, since deleting the removed author would otherwise cascade its rows away):
// - bylines (PaperAuthor): the survivor takes the removed author's places. The papers' votes
//   belong to the papers and come with them: no Vote row needs to change;
// - the approved claim (orcid, claimedBy), when only the removed author had one;
// - claims (AuthorClaim): moved, except a user's claim on the removed author when the same user
//   also claimed the survivor (one claim per user and author): that one is dropped (counted);
// - curation events about the removed author, and aliases: re-pointed;
// - follows (Follow): moved, one per user.
import type { Prisma } from '../../generated/prisma/client.ts';
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Context } from '../context.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { liveAuthorId } from './aliases.ts';

type Tx = Prisma.TransactionClient;

/** Every `table.column` with a foreign key to Author, and so a step of the merge. */
export const MOVED_AUTHOR_REFERENCES = ['PaperAuthor.authorId', 'AuthorClaim.authorId', 'AuthorAlias.authorId', 'CurationEvent.authorId', 'Follow.authorId'] as const;

interface LockedAuthor {
  id: number;
  name: string;
  normalizedName: string;
  orcid: string | null;
  claimedById: number | null;
}

/** The live authors of the given ids, locked for this transaction (in id order: no deadlock). */
export async function lockAuthors(tx: Tx, ids: number[]): Promise<Map<number, LockedAuthor>> {
  const rows = await tx.$queryRaw<LockedAuthor[]>`
    SELECT id, name, "normalizedName", orcid, "claimedById" FROM "Author"
    WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`;
  return new Map(rows.map((row) => [row.id, row]));
}

/** Papers whose byline changed: their search document (author names) and updatedAt follow. */
export async function touchPapers(tx: Tx, paperIds: number[]): Promise<void> {
  if (paperIds.length === 0) return;
  // The search triggers watch inserts and deletes of bylines, not an UPDATE of authorId.
  await tx.$executeRaw`
    UPDATE "Paper" p SET "searchVector" = catalog_paper_search_vector(p.title, p.abstract, p.id), "updatedAt" = now()
    WHERE p.id = ANY(${paperIds}::int[])`;
}

/** The two live authors, locked, or the userErrors that say why not. */
async function lockedPair(tx: Tx, keepGiven: number, removeGiven: number): Promise<[LockedAuthor, LockedAuthor]> {
  const [keepId, removeId] = [await liveAuthorId(tx, keepGiven), await liveAuthorId(tx, removeGiven)];
  if (keepId === null) throw new UserErrors([userError(['input', 'keepAuthorId'], 'NOT_FOUND', 'No author has this id')]);
  if (removeId === null) throw new UserErrors([userError(['input', 'removeAuthorId'], 'NOT_FOUND', 'No author has this id')]);
  if (keepId === removeId) {
    throw new UserErrors([userError(['input', 'removeAuthorId'], 'INVALID', 'These ids are one author already (the same id, or one was merged into the other)')]);
  }
  const locked = await lockAuthors(tx, [keepId, removeId]);
  const [keep, remove] = [locked.get(keepId), locked.get(removeId)];
  // Deleted or merged by a concurrent transaction between the lookup and the lock.
  if (!keep || !remove) throw new UserErrors([userError(['input'], 'NOT_FOUND', 'One of the authors was just merged or removed: try again')]);
  return [keep, remove];
}

/** Refuses to merge two people: both on one byline, or claimed with different ORCID iDs. */
async function refuseTwoPeople(tx: Tx, keep: LockedAuthor, remove: LockedAuthor): Promise<void> {
  const shared = await tx.$queryRaw<{ arxivId: string }[]>`
    SELECT p."arxivId" FROM "Paper" p
    WHERE EXISTS (SELECT 1 FROM "PaperAuthor" WHERE "paperId" = p.id AND "authorId" = ${keep.id})
      AND EXISTS (SELECT 1 FROM "PaperAuthor" WHERE "paperId" = p.id AND "authorId" = ${remove.id})
    ORDER BY p."arxivId" LIMIT 3`;
  if (shared.length > 0) {
    throw new UserErrors([userError(['input', 'removeAuthorId'], 'INVALID',
      `${keep.name} and ${remove.name} are both on the byline of arXiv ${shared.map((s) => s.arxivId).join(', ')}: two people, not merged`)]);
  }
  if (keep.claimedById !== null && remove.claimedById !== null && (keep.claimedById !== remove.claimedById || keep.orcid !== remove.orcid)) {
    throw new UserErrors([userError(['input', 'removeAuthorId'], 'INVALID',
      `Both authors are claimed, with ORCID iDs ${keep.orcid} and ${remove.orcid}: two people, not merged`)]);
  }
}

/** Moves the removed author's bylines, claim, claims, follows and history to the survivor; deletes it. */
async function moveAuthor(tx: Tx, keep: LockedAuthor, remove: LockedAuthor) {
  // Bylines (and with them the papers' votes).
  const moved = await tx.$queryRaw<{ paperId: number }[]>`
    UPDATE "PaperAuthor" SET "authorId" = ${keep.id} WHERE "authorId" = ${remove.id} RETURNING "paperId"`;
  const papers = [...new Set(moved.map((row) => row.paperId))];
  await touchPapers(tx, papers);
  const [{ votes }] = await tx.$queryRaw<[{ votes: number }]>`
    SELECT count(*)::int AS votes FROM "Vote" WHERE "paperId" = ANY(${papers}::int[])`;

  // The approved claim, when only the removed author had one.
  const claimMoved = keep.claimedById === null && remove.claimedById !== null;
  if (claimMoved) {
    await tx.author.update({ where: { id: remove.id }, data: { orcid: null, claimedById: null } });
    await tx.author.update({ where: { id: keep.id }, data: { orcid: remove.orcid, claimedById: remove.claimedById } });
  }
  // Claims: a user with a claim on both keeps the survivor's; the other is dropped below.
  const claimsMoved = await tx.$executeRaw`
    UPDATE "AuthorClaim" c SET "authorId" = ${keep.id}
    WHERE c."authorId" = ${remove.id}
      AND NOT EXISTS (SELECT 1 FROM "AuthorClaim" k WHERE k."authorId" = ${keep.id} AND k."userId" = c."userId")`;
  const claimsDropped = await tx.$executeRaw`DELETE FROM "AuthorClaim" WHERE "authorId" = ${remove.id}`;

  // Follows (src/catalog/follows/): the survivor's followers gain the removed author's, one
  // follow per user (a user who followed both keeps the older id).
  await tx.$executeRaw`
    INSERT INTO "Follow" ("userId", "authorId", "createdAt")
    SELECT "userId", ${keep.id}, "createdAt" FROM "Follow" WHERE "authorId" = ${remove.id}
    ON CONFLICT DO NOTHING`;
  await tx.$executeRaw`DELETE FROM "Follow" WHERE "authorId" = ${remove.id}`;

  await tx.$executeRaw`UPDATE "CurationEvent" SET "authorId" = ${keep.id} WHERE "authorId" = ${remove.id}`;
  await tx.$executeRaw`UPDATE "AuthorAlias" SET "authorId" = ${keep.id} WHERE "authorId" = ${remove.id}`;
  await tx.$executeRaw`DELETE FROM "Author" WHERE id = ${remove.id}`;
  // After the delete: the name is free in Author, and now leads to the survivor.
  await tx.$executeRaw`
    INSERT INTO "AuthorAlias" (id, "authorId", "normalizedName") VALUES (${remove.id}, ${keep.id}, ${remove.normalizedName})`;
  return { papers, votesOnMovedPapers: votes, claimsMoved, claimsDropped, claimMoved };
}

export const Mutation: Pick<MutationResolvers, 'mergeAuthors'> = {
  mergeAuthors: (_parent, { input }, ctx: Context) =>
    payload({ author: null }, async () => {
      const keepGiven = fromGlobalIdOf('Author', input.keepAuthorId, 'input.keepAuthorId');
      const removeGiven = fromGlobalIdOf('Author', input.removeAuthorId, 'input.removeAuthorId');
      const author = await ctx.db.$transaction(async (tx) => {
        const [keep, remove] = await lockedPair(tx, keepGiven, removeGiven);
        await refuseTwoPeople(tx, keep, remove);
        const moved = await moveAuthor(tx, keep, remove);
        await tx.curationEvent.create({
          data: {
            actorId: ctx.viewer!.id,
            action: 'author.merge',
            authorId: keep.id,
            details: { removedAuthorId: remove.id, removedName: remove.name, removedNormalizedName: remove.normalizedName, ...moved },
          },
        });
        return tx.author.findUniqueOrThrow({ where: { id: keep.id }, select: { id: true, name: true, normalizedName: true, createdAt: true } });
      });
      ctx.loaders.authorById.clearAll();
      ctx.loaders.authorIdentityById.clearAll();
      ctx.loaders.bylineByPaperId.clearAll();
      ctx.loaders.paperCountByAuthorId.clearAll();
      return { author };
    }),
};
