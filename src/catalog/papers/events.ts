// The outbox events about papers (src/platform/events/outbox.ts), built inside the transaction
// of the change they report, by the domains that change papers (papers, curation, import).
// Their shapes are documented in README "Signed webhooks"; src/catalog/webhooks/ delivers them.
//
// DANGER: a hidden paper appears in no event but `paper.hidden`. Each builder here reads or
// checks the papers' state in the writing transaction (`tx`), so what it sees is what commits.
import { Prisma, type Paper } from '../../generated/prisma/client.ts';
import type { OutboxEventInput } from '../../platform/events/outbox.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { LISTED, isListed } from './visibility.ts';

/** Most papers a `papers.featured` event lists: keeps it under 20 KB (about 60 bytes each). */
export const FEATURED_EVENT_PAPERS = 200;

type Tx = Pick<Prisma.TransactionClient, '$queryRaw'>;

export interface PaperRef {
  id: string;
  arxivId: string;
}

export const paperRef = (paper: Pick<Paper, 'id' | 'arxivId'>): PaperRef => ({ id: toGlobalId('Paper', paper.id), arxivId: paper.arxivId });

const isoDay = (day: Date) => day.toISOString().slice(0, 10);

/**
 * `papers.featured` for each day whose list gained `addedIds`: the papers added (listed ones) and
 * the day's listed papers as they will be on commit (by id, at most FEATURED_EVENT_PAPERS, with
 * the day's count). No event for a day that gained no listed paper.
 */
export async function featuredEvents(tx: Tx, addedIds: readonly number[]): Promise<OutboxEventInput[]> {
  if (addedIds.length === 0) return [];
  const added = await tx.$queryRaw<{ id: number; arxivId: string; featuredOn: Date }[]>`
    SELECT p.id, p."arxivId", p."featuredOn" FROM "Paper" p
    WHERE p.id = ANY(${[...addedIds]}::int[]) AND p."featuredOn" IS NOT NULL AND ${LISTED}
    ORDER BY p."featuredOn", p.id`;
  const byDay = new Map<string, PaperRef[]>();
  for (const paper of added) {
    const day = isoDay(paper.featuredOn);
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(paperRef(paper));
  }
  const events: OutboxEventInput[] = [];
  for (const [date, addedRefs] of byDay) {
    const day = await tx.$queryRaw<{ id: number; arxivId: string; total: number }[]>`
      SELECT p.id, p."arxivId", count(*) OVER ()::int AS total FROM "Paper" p
      WHERE p."featuredOn" = ${date}::date AND ${LISTED}
      ORDER BY p.id LIMIT ${FEATURED_EVENT_PAPERS}`;
    events.push({
      type: 'papers.featured',
      data: {
        date,
        added: addedRefs.slice(0, FEATURED_EVENT_PAPERS),
        papers: day.map(paperRef),
        paperCount: day[0]?.total ?? 0,
      },
    });
  }
  return events;
}

/** `paper.updated` for a paper that is listed (none for a hidden one): what changed, by field name. */
export function paperUpdatedEvent(paper: Pick<Paper, 'id' | 'arxivId' | 'hiddenAt'>, changed: readonly string[]): OutboxEventInput[] {
  return isListed(paper) ? [{ type: 'paper.updated', data: { paper: paperRef(paper), changed: [...changed] } }] : [];
}

/** `paper.updated` for each of these papers that is listed, read in the writing transaction (an import's). */
export async function papersUpdatedEvents(tx: Tx, ids: readonly number[], changed: readonly string[]): Promise<OutboxEventInput[]> {
  if (ids.length === 0) return [];
  const papers = await tx.$queryRaw<{ id: number; arxivId: string }[]>`
    SELECT p.id, p."arxivId" FROM "Paper" p WHERE p.id = ANY(${[...ids]}::int[]) AND ${LISTED} ORDER BY p.id`;
  return papers.map((paper) => ({ type: 'paper.updated', data: { paper: paperRef(paper), changed: [...changed] } }));
}

/** `paper.hidden`: the global id only (not even the arXiv id: the paper is gone from the catalog). */
export function paperHiddenEvent(paper: Pick<Paper, 'id'>): OutboxEventInput {
  return { type: 'paper.hidden', data: { paper: { id: toGlobalId('Paper', paper.id) } } };
}

export function paperUnhiddenEvent(paper: Pick<Paper, 'id' | 'arxivId'>): OutboxEventInput {
  return { type: 'paper.unhidden', data: { paper: paperRef(paper) } };
}
