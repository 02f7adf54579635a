// The event types a webhook endpoint can subscribe to: the schema's enum and the wire name each
// carries as the payload's `type` (the outbox's `type`, written by the domains that change things).
import type { WebhookEvent } from '../../generated/graphql.ts';

export const EVENT_TYPES: Readonly<Record<WebhookEvent, string>> = {
  PAPERS_FEATURED: 'papers.featured',
  PAPER_UPDATED: 'paper.updated',
  PAPER_HIDDEN: 'paper.hidden',
  PAPER_UNHIDDEN: 'paper.unhidden',
  COMMENT_CREATED: 'comment.created',
  COLLECTION_UPDATED: 'collection.updated',
};

const BY_TYPE = new Map(Object.entries(EVENT_TYPES).map(([name, type]) => [type, name as WebhookEvent]));

/** The enum value of a wire name; throws on a name no domain writes (a bug, not a client's input). */
export function eventOfType(type: string): WebhookEvent {
  const event = BY_TYPE.get(type);
  if (!event) throw new Error(`unknown webhook event type "${type}"`);
  return event;
}
