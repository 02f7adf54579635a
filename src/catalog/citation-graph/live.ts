// `citationAdded`: the announcements citation imports write ("CitationAddition", one row per cited
// paper and import: import.ts, announce) brought to this process's subscribers.
//
// Why read from the database rather than published by the import: imports run in `npm run import`,
// a process of its own that no subscriber is connected to, and an announcement must not be lost
// between the commit and a server. Each serving process reads the rows after the last one it saw,
// every POLL_MS while it has citationAdded subscribers (and not at all otherwise), and publishes
// them to its own listeners only (`publishLocal`): every process reads for itself, so relaying
// through Redis or the primary would deliver each event twice.
//
// Volume: one event per cited paper per import, whatever the number of edges. A subscriber to a
// paper gets at most one per import; to an author (or to the authors they follow), at most one
// per paper of theirs per import, each paid for from the subscriber's budget like any event.
//
// DANGER: hidden papers are on neither side. Announcements of a paper hidden when read are not
// published; a subscriber's events are checked again when delivered (the paper may have been
// hidden since), and the citing papers shown are read with the hidden-paper rule (resolvers.ts).
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db/client.ts';
import { channels, type CatalogEvent, type CatalogEvents, type CitationAddition } from '../../platform/events/bus.ts';

/** How often a process with subscribers reads new announcements. */
export const POLL_MS = 2000;
/** Announcements read per statement; a full batch is followed by the next at once. */
const BATCH = 500;

interface AdditionRow {
  id: string;
  citedPaperId: number;
  count: number;
  citingPaperIds: number[] | null;
  source: 'S2' | 'OPENALEX';
  at: Date;
  listed: boolean;
  authorIds: number[];
  followerIds: number[];
}

/** The announcements of one process's event bus, read while someone listens. */
export class CitationAnnouncements {
  private subscribers = 0;
  /** Users subscribed to the authors they follow, with how many such subscriptions each has. */
  private readonly followers = new Map<number, number>();
  private last: bigint | null = null;
  private started: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly events: CatalogEvents,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /**
   * Counts a subscription in until the returned function is called. Resolves once announcements
   * committed from then on are sure to be read: the first subscriber waits for the starting point.
   */
  async watch(followerId?: number): Promise<() => void> {
    this.subscribers++;
    if (followerId !== undefined) this.followers.set(followerId, (this.followers.get(followerId) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.subscribers--;
      if (followerId !== undefined) {
        const left = (this.followers.get(followerId) ?? 1) - 1;
        if (left > 0) this.followers.set(followerId, left);
        else this.followers.delete(followerId);
      }
      if (this.subscribers === 0) this.stop();
    };
    try {
      await (this.started ??= this.start());
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  private async start(): Promise<void> {
    try {
      const [row] = await this.db.$queryRaw<{ last: string }[]>`SELECT coalesce(max(id), 0)::text AS last FROM "CitationAddition"`;
      this.last = BigInt(row!.last);
    } catch (error) {
      this.started = null;
      throw error;
    }
    this.schedule();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.started = null;
    this.last = null;
  }

  private schedule(delay = POLL_MS): void {
    if (this.subscribers === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling ??= this.poll()
        .then((full) => this.schedule(full ? 0 : POLL_MS), (error: unknown) => {
          this.onError(error);
          this.schedule();
        })
        .finally(() => (this.polling = null));
    }, delay);
    this.timer.unref();
  }

  /** One batch of announcements published; true when the batch was full (more may wait). */
  private async poll(): Promise<boolean> {
    const after = this.last;
    if (after === null) return false;
    const followers = [...this.followers.keys()];
    const rows = await this.db.$queryRaw<AdditionRow[]>(Prisma.sql`
      SELECT a.id::text AS id, a."citedPaperId", a.count, a."citingPaperIds", a.source::text AS source, a."createdAt" AS at,
        (p."hiddenAt" IS NULL) AS listed,
        coalesce((SELECT array_agg(pa."authorId") FROM "PaperAuthor" pa WHERE pa."paperId" = a."citedPaperId"), '{}') AS "authorIds",
        coalesce((SELECT array_agg(DISTINCT f."userId") FROM "PaperAuthor" pa JOIN "Follow" f ON f."authorId" = pa."authorId"
                  WHERE pa."paperId" = a."citedPaperId" AND f."userId" = ANY(${followers}::int[])), '{}') AS "followerIds"
      FROM "CitationAddition" a JOIN "Paper" p ON p.id = a."citedPaperId"
      WHERE a.id > ${after.toString()}::bigint
      ORDER BY a.id LIMIT ${BATCH}`);
    // Stopped (and maybe started again) while reading: this batch belongs to no one.
    if (this.last !== after) return false;
    for (const row of rows) {
      this.last = BigInt(row.id);
      if (!row.listed) continue;
      const addition: CitationAddition = {
        id: row.id,
        citedPaperId: row.citedPaperId,
        count: row.count,
        citingPaperIds: row.citingPaperIds ?? [],
        source: row.source,
        at: row.at,
      };
      this.events.citationAdded(addition, [
        channels.citationsOfPaper(row.citedPaperId),
        ...row.authorIds.map((id) => channels.citationsOfAuthor(id)),
        ...row.followerIds.map((id) => channels.citationsFollowedBy(id)),
      ]);
    }
    return rows.length === BATCH;
  }
}

// One reader of announcements per event bus, made when its first subscriber comes: the bus is
// the process's (the platform object's `events`), and so is what its subscribers hear. A memo of
// that object, not a registry: it goes when the bus does.
const byBus = new WeakMap<CatalogEvents, CitationAnnouncements>();

export function announcementsOf(db: Db, events: CatalogEvents): CitationAnnouncements {
  let announcements = byBus.get(events);
  if (!announcements) byBus.set(events, (announcements = new CitationAnnouncements(db, events)));
  return announcements;
}

/**
 * A subscription's events: those `keep` still lets through when their turn comes (a paper hidden
 * since), and `release` called once however it ends. Written by hand, as the bus's iterator is:
 * `return()` ends it at once, even while it waits for an event.
 */
export class CheckedEvents implements AsyncIterableIterator<CatalogEvent> {
  private ended = false;

  constructor(
    private readonly source: AsyncIterator<CatalogEvent>,
    private readonly keep: (event: CatalogEvent) => Promise<boolean>,
    private readonly release: () => void,
  ) {}

  async next(): Promise<IteratorResult<CatalogEvent>> {
    try {
      while (!this.ended) {
        const step = await this.source.next();
        if (step.done || this.ended) break;
        if (await this.keep(step.value)) return step;
      }
    } catch (error) {
      await this.return();
      throw error;
    }
    await this.return();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<CatalogEvent>> {
    if (!this.ended) {
      this.ended = true;
      this.release();
      await this.source.return?.();
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<CatalogEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
