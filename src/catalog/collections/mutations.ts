// createCollection, addToCollection, removeFromCollection, moveInCollection: the owner's writes.
// Each edit of the items runs in one transaction that first locks the collection's row, so
// concurrent edits of one collection queue up and positions never collide; someone else's
// collection, private or public, is "not found" (its existence is not the caller's to learn).
import type { MutationResolvers } from '../../generated/graphql.ts';
import type { Collection, Prisma } from '../../generated/prisma/client.ts';

type DbTransaction = Prisma.TransactionClient;
import type { Context } from '../context.ts';
import { fromGlobalIdOf, toGlobalId } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { text } from '../../platform/validation.ts';
import { MAX_ITEMS } from './reads.ts';
import { isListed } from '../papers/index.ts';
import { writeOutbox } from '../../platform/events/outbox.ts';

export const MAX_COLLECTIONS = 500;
const LIMITS = { name: 100, description: 2000, note: 1000 } as const;

const notYours = () => new UserErrors([userError(['collectionId'], 'NOT_FOUND', 'You have no collection with this id')]);

/** Locks the caller's collection for this transaction; NOT_FOUND unless it is theirs. */
async function lockOwn(tx: DbTransaction, collectionId: number, ownerId: number): Promise<void> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "Collection" WHERE id = ${collectionId}::int AND "ownerId" = ${ownerId}::int FOR UPDATE`;
  if (rows.length === 0) throw notYours();
}

/** Runs `edit` on the caller's locked collection, bumps its updatedAt, and returns it. */
function editOwn(ctx: Context, collectionGlobalId: string, edit: (tx: DbTransaction, collectionId: number) => Promise<void>): Promise<{ collection: Collection }> {
  const collectionId = fromGlobalIdOf('Collection', collectionGlobalId, 'collectionId');
  return ctx.db.$transaction(async (tx) => {
    await lockOwn(tx, collectionId, ctx.viewer!.id);
    await edit(tx, collectionId);
    const collection = await tx.collection.update({ where: { id: collectionId }, data: { updatedAt: new Date() } });
    await writeOutbox(tx, collectionUpdated(collection));
    return { collection };
  });
}

/** `collection.updated` for a public collection (none for a private one: it exists for its owner only). */
function collectionUpdated(collection: Collection): { type: string; data: Record<string, unknown> }[] {
  return collection.public ? [{ type: 'collection.updated', data: { collection: { id: toGlobalId('Collection', collection.id) } } }] : [];
}

function paperIdOf(globalId: string, field: string): number {
  return fromGlobalIdOf('Paper', globalId, field);
}

/** The note as stored: trimmed, null when empty. */
function noteOf(note: string): string | null {
  return note.trim() === '' ? null : text(note, ['note'], { max: LIMITS.note, multiline: true });
}

export const Mutation: Pick<MutationResolvers, 'createCollection' | 'addToCollection' | 'removeFromCollection' | 'moveInCollection'> = {
  createCollection: (_parent, { input }, ctx) =>
    payload({ collection: null }, async () => {
      const name = text(input.name, ['input', 'name'], { max: LIMITS.name });
      const description = input.description == null || input.description.trim() === '' ? null : text(input.description, ['input', 'description'], { max: LIMITS.description, multiline: true });
      const owned = await ctx.db.collection.count({ where: { ownerId: ctx.viewer!.id } });
      if (owned >= MAX_COLLECTIONS) throw new UserErrors([userError(null, 'INVALID', `You have ${owned} collections, the most allowed`)]);
      const collection = await ctx.db.$transaction(async (tx) => {
        const created = await tx.collection.create({ data: { ownerId: ctx.viewer!.id, name, description, public: input.public ?? false } });
        await writeOutbox(tx, collectionUpdated(created));
        return created;
      });
      return { collection };
    }),

  addToCollection: (_parent, { collectionId, paperId, note }, ctx) =>
    payload({ collection: null }, async () => {
      const id = paperIdOf(paperId, 'paperId');
      const cleanNote = note == null ? undefined : noteOf(note);
      // Only listed papers go in: a hidden one is "not found" here for everyone, curators too,
      // since no collection would ever show it.
      const paper = await ctx.loaders.paperById.load(id);
      if (!paper || !isListed(paper)) throw new UserErrors([userError(['paperId'], 'NOT_FOUND', 'No paper has this id')]);
      return editOwn(ctx, collectionId, async (tx, cid) => {
        const existing = await tx.collectionItem.findUnique({ where: { collectionId_paperId: { collectionId: cid, paperId: id } } });
        if (existing) {
          // Already there: it keeps its place; a note given replaces the old one.
          if (cleanNote !== undefined) await tx.collectionItem.update({ where: { collectionId_paperId: { collectionId: cid, paperId: id } }, data: { note: cleanNote } });
          return;
        }
        const { _count, _max } = await tx.collectionItem.aggregate({ where: { collectionId: cid }, _count: true, _max: { position: true } });
        if (_count >= MAX_ITEMS) throw new UserErrors([userError(['collectionId'], 'INVALID', `A collection holds at most ${MAX_ITEMS} papers; this one is full`)]);
        await tx.collectionItem.create({ data: { collectionId: cid, paperId: id, position: (_max.position ?? -1) + 1, note: cleanNote ?? null } });
      });
    }),

  removeFromCollection: (_parent, { collectionId, paperId }, ctx) =>
    payload({ collection: null }, () => {
      const id = paperIdOf(paperId, 'paperId');
      // Positions keep a gap where the paper was: the order of the rest is unchanged.
      return editOwn(ctx, collectionId, async (tx, cid) => {
        await tx.collectionItem.deleteMany({ where: { collectionId: cid, paperId: id } });
      });
    }),

  moveInCollection: (_parent, { collectionId, paperId, afterPaperId }, ctx) =>
    payload({ collection: null }, () => {
      const id = paperIdOf(paperId, 'paperId');
      const after = afterPaperId == null ? null : paperIdOf(afterPaperId, 'afterPaperId');
      if (after === id) throw new UserErrors([userError(['afterPaperId'], 'INVALID', 'afterPaperId must be another paper than paperId')]);
      return editOwn(ctx, collectionId, async (tx, cid) => {
        const order = (await tx.collectionItem.findMany({ where: { collectionId: cid }, orderBy: [{ position: 'asc' }, { paperId: 'asc' }], select: { paperId: true } })).map((i) => i.paperId);
        if (!order.includes(id)) throw new UserErrors([userError(['paperId'], 'NOT_FOUND', 'This paper is not in the collection')]);
        if (after !== null && !order.includes(after)) throw new UserErrors([userError(['afterPaperId'], 'NOT_FOUND', 'afterPaperId is not in the collection')]);
        const rest = order.filter((p) => p !== id);
        rest.splice(after === null ? 0 : rest.indexOf(after) + 1, 0, id);
        // Renumbered 0..n-1 in one statement (a collection holds at most MAX_ITEMS papers).
        await tx.$executeRaw`
          UPDATE "CollectionItem" ci SET position = o.ord - 1
          FROM unnest(${rest}::int[]) WITH ORDINALITY AS o(pid, ord)
          WHERE ci."collectionId" = ${cid}::int AND ci."paperId" = o.pid AND ci.position <> o.ord - 1`;
      });
    }),
};
