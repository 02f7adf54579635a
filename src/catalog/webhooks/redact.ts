// DANGER: a hidden paper appears in no payload but `paper.hidden`. Events are built listed-only
// in their writing transaction (src/catalog/papers/events.ts), but a paper can be hidden between
// that commit and the delivery (or a replay days later). So each batch of claimed messages is
// checked against the papers' state now: a hidden paper is taken out of a `papers.featured`
// list, and an event about one hidden paper is not sent at all (SKIPPED).
import type { Db } from '../../platform/db/client.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { LISTED } from '../papers/index.ts';

export interface Outgoing {
  type: string;
  data: Record<string, unknown>;
  eventAt: Date;
}

interface Ref {
  id: string;
}

const idOf = (ref: unknown): number | null => {
  try {
    return typeof (ref as Ref | null)?.id === 'string' ? fromGlobalIdOf('Paper', (ref as Ref).id) : null;
  } catch {
    return null;
  }
};

/** The paper refs of an event that must be listed for it to be sent ('paper.hidden' has none). */
function papersOf(message: Outgoing): { single: unknown | null; lists: unknown[][] } {
  switch (message.type) {
    case 'paper.hidden':
    case 'collection.updated':
      return { single: null, lists: [] };
    case 'papers.featured':
      return { single: null, lists: [(message.data.added as unknown[]) ?? [], (message.data.papers as unknown[]) ?? []] };
    default:
      // paper.updated, paper.unhidden, comment.created: about one paper.
      return { single: message.data.paper ?? null, lists: [] };
  }
}

/**
 * Takes papers hidden since out of the messages' data (in place) and returns the messages not to
 * send: those about a single hidden paper, or a `papers.featured` whose added papers are all hidden.
 */
export async function redactHidden<M extends Outgoing>(db: Db, messages: readonly M[]): Promise<Set<M>> {
  const ids = new Set<number>();
  for (const message of messages) {
    const { single, lists } = papersOf(message);
    for (const ref of [single, ...lists.flat()]) {
      const id = idOf(ref);
      if (id !== null) ids.add(id);
    }
  }
  const skip = new Set<M>();
  if (ids.size === 0) return skip;
  const listed = new Set(
    (await db.$queryRaw<{ id: number }[]>`SELECT p.id FROM "Paper" p WHERE p.id = ANY(${[...ids]}::int[]) AND ${LISTED}`).map((row) => row.id),
  );
  const isListedRef = (ref: unknown) => {
    const id = idOf(ref);
    return id !== null && listed.has(id);
  };
  for (const message of messages) {
    const { single, lists } = papersOf(message);
    if (single !== null && !isListedRef(single)) skip.add(message);
    if (message.type === 'papers.featured') {
      const added = lists[0]!.filter(isListedRef);
      const papers = lists[1]!.filter(isListedRef);
      const removed = lists[1]!.length - papers.length;
      if (added.length === 0) skip.add(message);
      message.data = { ...message.data, added, papers, paperCount: Math.max(0, Number(message.data.paperCount ?? 0) - removed) };
    }
  }
  return skip;
}
