// The Webhook and WebhookDelivery types, User.webhooks and Query.webhooks. A Webhook parent here
// has passed reads.ts's check (its owner or an admin): node(id), a payload, or a list of them.
import type { QueryResolvers, UserResolvers, WebhookDeliveryResolvers, WebhookResolvers } from '../../generated/graphql.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { eventOfType, EVENT_TYPES } from './events.ts';
import { canListFor, deliveryPage, webhookPage } from './reads.ts';

const EVENTS = Object.keys(EVENT_TYPES) as (keyof typeof EVENT_TYPES)[];

export const Webhook: WebhookResolvers = {
  id: (endpoint) => toGlobalId('Webhook', endpoint.id),
  // Stored by wire name; listed in the schema's order.
  events: (endpoint) => EVENTS.filter((event) => endpoint.events.includes(EVENT_TYPES[event])),
  owner: async (endpoint, _args, ctx) => (await ctx.loaders.userById.load(endpoint.ownerId))!,
  enabled: (endpoint) => endpoint.disabledAt === null,
  previousSecretExpiresAt: (endpoint) =>
    endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil.getTime() > Date.now() ? endpoint.previousSecretUntil : null,
  deliveries: (endpoint, args, ctx) => deliveryPage(ctx.db, endpoint.id, args),
};

export const WebhookDelivery: WebhookDeliveryResolvers = {
  id: (delivery) => toGlobalId('WebhookDelivery', delivery.id),
  messageId: (delivery) => delivery.message.webhookId,
  event: (delivery) => eventOfType(delivery.message.event.type),
  status: (delivery) => (delivery.succeeded ? 'SUCCEEDED' : 'FAILED'),
};

export const User: Pick<UserResolvers, 'webhooks'> = {
  // DANGER: the user themself and admins; anyone else gets null.
  webhooks: (user, args, ctx) => (canListFor(ctx.viewer, user.id) ? webhookPage(ctx.db, user.id, args) : null),
};

export const Query: Pick<QueryResolvers, 'webhooks'> = {
  // Admins only (src/graphql/access.ts): every endpoint.
  webhooks: (_parent, args, ctx) => webhookPage(ctx.db, undefined, args),
};
