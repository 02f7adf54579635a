// Catalog events for live updates: mutations publish, GraphQL subscriptions listen.
//
// Two layers, so that a shared store can replace the in-memory one without touching either
// side: `EventBus` moves events between channels and listeners (in memory here; Redis pub/sub
// or Postgres LISTEN/NOTIFY when several instances must see each other's events), and
// `CatalogEvents` is what the code uses: typed publishers (`ctx.events?.paperUpdated(paper)`)
// and bounded async iterators for subscription resolvers.
//
// A bus that crosses processes must serialise events as JSON and revive the Paper row's Date
// fields on the way in; the in-memory one hands the objects over as they are.
import type { Comment, Paper } from '../../generated/prisma/client.ts';

export type CatalogEvent =
  /** The paper changed: a vote, an import or a curator (it carries the row as it now is). */
  | { type: 'paperUpdated'; paper: Paper }
  /** A paper got a featured day (submitted, or imported), with its topics' slugs. */
  | { type: 'paperFeatured'; paper: Paper; topics: string[] }
  /** An API token was revoked: connections opened with it must close (by its hash, never the secret). */
  | { type: 'tokenRevoked'; tokenHash: string }
  /** A comment (or reply) was posted on its paper. */
  | { type: 'commentAdded'; comment: Comment }
  /**
   * A citation import made listed catalog papers cite `citedPaperId` for the first time: one per
   * cited paper and import (src/catalog/citation-graph/live.ts). Read from the database by every
   * serving process itself, so published to its own listeners only (`publishLocal`).
   */
  | { type: 'citationAdded'; addition: CitationAddition };

export interface CitationAddition {
  /** The announcement's row id ("CitationAddition", a bigint as text). */
  id: string;
  citedPaperId: number;
  /** Listed catalog papers that began to cite it with the import. */
  count: number;
  /** Up to a few of them, newest first. */
  citingPaperIds: number[];
  source: 'S2' | 'OPENALEX';
  at: Date;
}

export interface EventBus {
  /** Fire and forget: never throws, never waits for listeners. */
  publish(channel: string, event: CatalogEvent): void;
  /** `listener` gets every event published on `channel` from now on; call the result to stop. */
  subscribe(channel: string, listener: (event: CatalogEvent) => void): () => void;
  /**
   * To this process's listeners only, never to other processes or instances: for events that
   * every process reads for itself (from the database), which relaying would deliver twice.
   */
  publishLocal(channel: string, event: CatalogEvent): void;
}

/** One process's bus: enough for one instance; replace it to span several. */
export class InMemoryEventBus implements EventBus {
  private readonly channels = new Map<string, Set<(event: CatalogEvent) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  publish(channel: string, event: CatalogEvent): void {
    const listeners = this.channels.get(channel);
    if (!listeners) return;
    // A copy: a listener may unsubscribe (or subscribe) while we iterate.
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  publishLocal(channel: string, event: CatalogEvent): void {
    this.publish(channel, event);
  }

  subscribe(channel: string, listener: (event: CatalogEvent) => void): () => void {
    let listeners = this.channels.get(channel);
    if (!listeners) this.channels.set(channel, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      // Empty channels go, or one per paper ever watched would stay forever.
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel);
    };
  }

  /**
   * Listeners currently attached, of subscriptions to the catalog's events: not the WebSocket
   * server's own one to revocations (tests check that closed subscriptions let go).
   */
  listenerCount(): number {
    let n = 0;
    for (const [channel, listeners] of this.channels) if (channel !== channels.tokens) n += listeners.size;
    return n;
  }
}

export const channels = {
  paper: (paperId: number) => `paper:${paperId}`,
  featured: 'papers:featured',
  tokens: 'tokens:revoked',
  comments: (paperId: number) => `comments:${paperId}`,
  /** citationAdded, by the cited paper, each of its authors, and each user following one of them. */
  citationsOfPaper: (paperId: number) => `citations:paper:${paperId}`,
  citationsOfAuthor: (authorId: number) => `citations:author:${authorId}`,
  citationsFollowedBy: (userId: number) => `citations:follower:${userId}`,
} as const;

/** Raised to a subscriber whose client reads more slowly than events arrive. */
export class SlowSubscriberError extends Error {
  /** Kept by GraphQLError when it wraps this error: the client sees the message and the code. */
  readonly extensions = { code: 'BAD_REQUEST' };
  constructor(maxQueued: number) {
    super(`More than ${maxQueued} events were waiting to be sent: the subscription was ended because the client reads too slowly. Subscribe again.`);
  }
}

export interface ListenOptions {
  filter?: (event: CatalogEvent) => boolean;
  /**
   * Events held for a subscriber that has not taken them yet. Past this the subscription ends
   * with SlowSubscriberError: what one slow client can pin in memory is bounded.
   */
  maxQueued?: number;
}

/**
 * The events of one channel as an async iterator, for a subscription's `subscribe`. Written by
 * hand rather than as an async generator: a generator waiting for its next event cannot be
 * stopped by `return()` until an event arrives, so a client that unsubscribes from a quiet
 * channel would leave its listener attached; here `return()` detaches at once.
 */
class EventIterator implements AsyncIterableIterator<CatalogEvent> {
  private readonly queue: CatalogEvent[] = [];
  private waiting: ((result: IteratorResult<CatalogEvent>) => void) | null = null;
  private failure: Error | null = null;
  private done = false;
  private readonly unsubscribe: () => void;

  constructor(bus: EventBus, channel: string, private readonly options: Required<Pick<ListenOptions, 'maxQueued'>> & ListenOptions) {
    this.unsubscribe = bus.subscribe(channel, (event) => this.push(event));
  }

  private push(event: CatalogEvent): void {
    if (this.done || (this.options.filter && !this.options.filter(event))) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: event, done: false });
    } else if (this.queue.length >= this.options.maxQueued) {
      this.failure = new SlowSubscriberError(this.options.maxQueued);
      this.close();
    } else {
      this.queue.push(event);
    }
  }

  next(): Promise<IteratorResult<CatalogEvent>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<CatalogEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<CatalogEvent>> {
    this.close();
    return Promise.reject(error);
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.unsubscribe();
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export const DEFAULT_MAX_QUEUED_EVENTS = 100;

/** What resolvers see as `ctx.events`. */
export class CatalogEvents {
  constructor(
    readonly bus: EventBus = new InMemoryEventBus(),
    private readonly maxQueued = DEFAULT_MAX_QUEUED_EVENTS,
  ) {}

  /** After a vote, an import or a curator changed `paper`. */
  paperUpdated(paper: Paper): void {
    this.bus.publish(channels.paper(paper.id), { type: 'paperUpdated', paper });
  }

  /** After `paper` got a featured day (submitted or imported), tagged with `topics` (slugs). */
  paperFeatured(paper: Paper, topics: string[]): void {
    this.bus.publish(channels.featured, { type: 'paperFeatured', paper, topics });
  }

  /** After `comment` was posted (committed). */
  commentAdded(comment: Comment): void {
    this.bus.publish(channels.comments(comment.paperId), { type: 'commentAdded', comment });
  }

  /** A citation announcement read from the database, to the listeners of `to` in this process only. */
  citationAdded(addition: CitationAddition, to: readonly string[]): void {
    const event: CatalogEvent = { type: 'citationAdded', addition };
    for (const channel of to) this.bus.publishLocal(channel, event);
  }

  /** After an API token was revoked. */
  tokenRevoked(tokenHash: string): void {
    this.bus.publish(channels.tokens, { type: 'tokenRevoked', tokenHash });
  }

  /** `listener` gets the hash of every token revoked from now on; call the result to stop. */
  onTokenRevoked(listener: (tokenHash: string) => void): () => void {
    return this.bus.subscribe(channels.tokens, (event) => {
      if (event.type === 'tokenRevoked') listener(event.tokenHash);
    });
  }

  listen(channel: string, options: ListenOptions = {}): AsyncIterableIterator<CatalogEvent> {
    return new EventIterator(this.bus, channel, { maxQueued: this.maxQueued, ...options });
  }
}
