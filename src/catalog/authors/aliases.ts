// Authors removed by a merge live on as AuthorAlias rows: the removed id leads to the survivor
// (so its global id keeps working in `node`, `author`, `filter.author` and feeds), and the removed
// normalised name leads there too (so a later import of that spelling joins the survivor
// instead of bringing the removed author back). Aliases always point at a live author: a merge
// of the survivor re-points them (merge.ts).
import type { Prisma } from '../../generated/prisma/client.ts';

type Queryable = Pick<Prisma.TransactionClient, '$queryRaw'>;

/** The live author an author id leads to: itself, the survivor it was merged into, or null. */
export async function liveAuthorId(db: Queryable, id: number): Promise<number | null> {
  const [row] = await db.$queryRaw<{ id: number | null }[]>`
    SELECT coalesce((SELECT id FROM "Author" WHERE id = ${id}), (SELECT "authorId" FROM "AuthorAlias" WHERE id = ${id})) AS id`;
  return row?.id ?? null;
}

/** Survivors of the given normalised names that belong to merged-away authors. */
export async function aliasedAuthorIds(db: Queryable, normalizedNames: readonly string[]): Promise<Map<string, number>> {
  if (normalizedNames.length === 0) return new Map();
  const rows = await db.$queryRaw<{ normalizedName: string; authorId: number }[]>`
    SELECT "normalizedName", "authorId" FROM "AuthorAlias" WHERE "normalizedName" = ANY(${normalizedNames}::text[])`;
  return new Map(rows.map((row) => [row.normalizedName, row.authorId]));
}
