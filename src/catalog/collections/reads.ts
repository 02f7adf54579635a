// Collections as readers may see them, for resolvers, the Atom feed and citation export alike.
//
// DANGER: who sees a collection is decided here and nowhere else. A private collection exists
// for its owner only: for anyone else (admins included) it is null, its items are unreachable
// and its id is "not found". Hidden papers never appear in any collection, its owner's included
// (the curators' rule of src/catalog/papers/visibility.ts), and are not counted.
import { Prisma, type Collection, type Paper, type User } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db/client.ts';
import type { Reader } from '../../platform/db/reader.ts';
import { badInput } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, pageRequest, toConnection, type Connection, type ConnectionArgs } from '../../platform/pagination/connection.ts';
import { PAPER_COLUMNS_P } from '../papers/index.ts';
import type { PaperReads } from '../papers/index.ts';
import { LISTED } from '../papers/index.ts';

/** Most papers a collection holds: its citation file and moves stay one bounded statement. */
export const MAX_ITEMS = 1000;

export interface CollectionItemRow {
  collectionId: number;
  paper: Paper;
  note: string | null;
  position: number;
  addedAt: Date;
}

/** Whether `viewer` may see `collection` at all. */
export function canSeeCollection(viewer: Pick<User, 'id'> | null | undefined, collection: Pick<Collection, 'ownerId' | 'public'>): boolean {
  return collection.public || viewer?.id === collection.ownerId;
}

/** The collection with this id if `viewer` may see it, else null (never a hint that it exists). */
export async function collectionFor(deps: { db: Db; viewer?: User | null }, id: number): Promise<Collection | null> {
  const collection = await deps.db.collection.findUnique({ where: { id } });
  return collection && canSeeCollection(deps.viewer, collection) ? collection : null;
}

type ItemRow = Paper & { itemPosition: number; itemNote: string | null; itemAddedAt: Date };

function toItem(collectionId: number, { itemPosition, itemNote, itemAddedAt, ...paper }: ItemRow): CollectionItemRow {
  return { collectionId, paper, note: itemNote, position: itemPosition, addedAt: itemAddedAt };
}

const ITEM_COLUMNS = Prisma.sql`${PAPER_COLUMNS_P}, ci.position AS "itemPosition", ci.note AS "itemNote", ci."addedAt" AS "itemAddedAt"`;
const ITEMS_FROM = Prisma.sql`"CollectionItem" ci JOIN "Paper" p ON p.id = ci."paperId"`;

/**
 * A page of a collection's listed items in the owner's order (keyset on position, paper id).
 * The caller has checked that the reader may see the collection.
 */
export async function collectionItems(deps: PaperReads, collectionId: number, args: ConnectionArgs): Promise<Connection<CollectionItemRow>> {
  const reader: Reader = deps.reader;
  const request = pageRequest(args);
  const forward = request.direction === 'forward';
  const cursorArg = forward ? 'after' : 'before';
  let keyset = Prisma.empty;
  if (request.cursor !== null) {
    const [position, paperId] = decodeCursor('collection-items', request.cursor, 2, cursorArg);
    if (typeof position !== 'number' || !Number.isSafeInteger(position) || typeof paperId !== 'number' || !Number.isSafeInteger(paperId)) {
      throw badInput(`${cursorArg} is not a cursor of this list`, cursorArg);
    }
    keyset = Prisma.sql`AND (ci.position, ci."paperId") ${Prisma.raw(forward ? '>' : '<')} (${position}::int, ${paperId}::int)`;
  }
  const dir = Prisma.raw(forward ? 'ASC' : 'DESC');
  const where = Prisma.sql`ci."collectionId" = ${collectionId}::int AND ${LISTED}`;
  const rows = await reader.rows<ItemRow>(Prisma.sql`
    SELECT ${ITEM_COLUMNS} FROM ${ITEMS_FROM}
    WHERE ${where} ${keyset}
    ORDER BY ci.position ${dir}, ci."paperId" ${dir}
    LIMIT ${request.take + 1}`);
  return toConnection(
    rows.map((row) => toItem(collectionId, row)),
    request,
    (item) => {
      deps.loaders.paperById.prime(item.paper.id, item.paper);
      return { cursor: encodeCursor('collection-items', [item.position, item.paper.id]), node: item };
    },
    () => reader.rows<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM ${ITEMS_FROM} WHERE ${where}`).then((r) => r[0]!.n),
  );
}

/** Every listed paper of a collection in order (at most MAX_ITEMS), or the newest additions first. */
export async function allCollectionItems(deps: PaperReads, collectionId: number, options: { order?: 'position' | 'newest'; limit?: number } = {}): Promise<CollectionItemRow[]> {
  const reader: Reader = deps.reader;
  const order = options.order === 'newest' ? Prisma.sql`ci."addedAt" DESC, ci."paperId" DESC` : Prisma.sql`ci.position, ci."paperId"`;
  const rows = await reader.rows<ItemRow>(Prisma.sql`
    SELECT ${ITEM_COLUMNS} FROM ${ITEMS_FROM}
    WHERE ci."collectionId" = ${collectionId}::int AND ${LISTED}
    ORDER BY ${order}
    LIMIT ${Math.min(options.limit ?? MAX_ITEMS, MAX_ITEMS)}`);
  return rows.map((row) => {
    const item = toItem(collectionId, row);
    deps.loaders.paperById.prime(item.paper.id, item.paper);
    return item;
  });
}
