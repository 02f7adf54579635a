// createWebhook, updateWebhook, rotateWebhookSecret, deleteWebhook, replayWebhookDelivery,
// replayWebhookDeliveries. Each acts on an endpoint its caller may manage (its owner, or an
// admin: reads.ts); anyone else's is "not found". URLs are checked against targets.ts's rules,
// name resolved, before they are saved (and again at every delivery).
import type { MutationResolvers, WebhookEvent } from '../../generated/graphql.ts';
import type { WebhookConfig } from '../../config.ts';
import type { WebhookEndpoint } from '../../generated/prisma/client.ts';
import type { Context } from '../context.ts';
import { fromGlobalIdOf } from '../../platform/global-id.ts';
import { payload, userError, UserErrors } from '../../platform/user-errors.ts';
import { EVENT_TYPES } from './events.ts';
import { canManage } from './reads.ts';
import { generateSecret } from './signing.ts';
import { MAX_URL_LENGTH, parseTarget, RefusedTarget, resolveTarget, type Lookup } from './targets.ts';
import { text } from '../../platform/validation.ts';

/** How long the secret a rotation replaces keeps signing too. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
/** Most messages one replayWebhookDeliveries queues again. */
export const MAX_REPLAY = 10_000;

const notFound = (field: string[]) => new UserErrors([userError(field, 'NOT_FOUND', 'You have no webhook with this id')]);

async function checkedUrl(config: WebhookConfig, raw: string, field: string[], lookup?: Lookup): Promise<string> {
  // Control characters first: the URL parser would drop tabs and newlines silently.
  const clean = text(raw, field, { max: MAX_URL_LENGTH, label: 'url' });
  try {
    const url = parseTarget(clean, config);
    await resolveTarget(url, config, lookup);
    return url.href;
  } catch (error) {
    if (!(error instanceof RefusedTarget)) throw error;
    throw new UserErrors([userError(field, error.kind === 'forbidden' ? 'FORBIDDEN_TARGET' : 'INVALID', error.message)]);
  }
}

function eventTypes(events: readonly WebhookEvent[], field: string[]): string[] {
  if (events.length === 0) throw new UserErrors([userError(field, 'INVALID', 'events must list at least one event')]);
  return [...new Set(events.map((event) => EVENT_TYPES[event]))];
}

async function manageable(ctx: Context, globalId: string, field: string[]): Promise<WebhookEndpoint> {
  const endpoint = await ctx.db.webhookEndpoint.findUnique({ where: { id: fromGlobalIdOf('Webhook', globalId, field.at(-1)) } });
  if (!endpoint || !canManage(ctx.viewer, endpoint)) throw notFound(field);
  return endpoint;
}

/** NOTIFY the delivery workers (sent when the caller's transaction commits). */
const WAKE_WORKERS = 'SELECT pg_notify(\'outbox\', \'\')';

export const webhookMutations = (
  config: WebhookConfig,
  lookup?: Lookup,
): Pick<MutationResolvers, 'createWebhook' | 'updateWebhook' | 'rotateWebhookSecret' | 'deleteWebhook' | 'replayWebhookDelivery' | 'replayWebhookDeliveries'> => ({
  createWebhook: (_parent, { input }, ctx) =>
    payload({ webhook: null, secret: null }, async () => {
      const url = await checkedUrl(config, input.url, ['input', 'url'], lookup);
      const events = eventTypes(input.events, ['input', 'events']);
      const secret = generateSecret();
      const ownerId = ctx.viewer!.id;
      const webhook = await ctx.db.$transaction(async (tx) => {
        // One creation at a time per user, so that the cap holds under concurrent calls.
        await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${ownerId} FOR UPDATE`;
        const owned = await tx.webhookEndpoint.count({ where: { ownerId } });
        if (owned >= config.maxPerUser) {
          throw new UserErrors([userError(null, 'LIMIT_REACHED', `You have ${owned} webhooks, the most allowed (${config.maxPerUser}); delete one first`)]);
        }
        return tx.webhookEndpoint.create({ data: { ownerId, url, events, secret } });
      });
      return { webhook, secret };
    }),

  updateWebhook: (_parent, { input }, ctx) =>
    payload({ webhook: null }, async () => {
      const endpoint = await manageable(ctx, input.webhookId, ['input', 'webhookId']);
      const data: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'disabledAt' | 'disabledReason' | 'consecutiveFailures' | 'failingSince'>> = {};
      if (input.url != null) data.url = await checkedUrl(config, input.url, ['input', 'url'], lookup);
      if (input.events != null) data.events = eventTypes(input.events, ['input', 'events']);
      if (input.enabled === true && endpoint.disabledAt !== null) Object.assign(data, { disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null });
      if (input.enabled === false && endpoint.disabledAt === null) {
        Object.assign(data, { disabledAt: new Date(), disabledReason: ctx.viewer!.id === endpoint.ownerId ? 'disabled by its owner' : 'disabled by an admin' });
      }
      const webhook = await ctx.db.webhookEndpoint.update({ where: { id: endpoint.id }, data });
      return { webhook };
    }),

  rotateWebhookSecret: (_parent, { webhookId }, ctx) =>
    payload({ webhook: null, secret: null }, async () => {
      const endpoint = await manageable(ctx, webhookId, ['webhookId']);
      const secret = generateSecret();
      // The replaced secret signs too for 24 h (a second `v1,` entry), so receivers switch without losing a delivery.
      const webhook = await ctx.db.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { secret, previousSecret: endpoint.secret, previousSecretUntil: new Date(Date.now() + SECRET_OVERLAP_MS) },
      });
      return { webhook, secret };
    }),

  deleteWebhook: (_parent, { webhookId }, ctx) =>
    payload({ deletedWebhookId: null }, async () => {
      const endpoint = await manageable(ctx, webhookId, ['webhookId']);
      await ctx.db.webhookEndpoint.deleteMany({ where: { id: endpoint.id } });
      return { deletedWebhookId: webhookId };
    }),

  replayWebhookDelivery: (_parent, { deliveryId }, ctx) =>
    payload({ replayed: null }, async () => {
      const delivery = await ctx.db.webhookDelivery.findUnique({
        where: { id: fromGlobalIdOf('WebhookDelivery', deliveryId, 'deliveryId') },
        include: { endpoint: true },
      });
      if (!delivery || !canManage(ctx.viewer, delivery.endpoint)) throw new UserErrors([userError(['deliveryId'], 'NOT_FOUND', 'You have no webhook delivery with this id')]);
      if (delivery.endpoint.disabledAt) throw new UserErrors([userError(['deliveryId'], 'INVALID', 'The webhook is disabled; enable it first (updateWebhook)')]);
      const [count] = await ctx.db.$transaction([
        ctx.db.$executeRaw`UPDATE "WebhookMessage" SET state = 'PENDING', attempts = 0, "nextAttemptAt" = now() WHERE id = ${delivery.messageId}`,
        ctx.db.$executeRawUnsafe(WAKE_WORKERS),
      ]);
      return { replayed: count };
    }),

  replayWebhookDeliveries: (_parent, { webhookId, since, until }, ctx) =>
    payload({ replayed: null }, async () => {
      const endpoint = await manageable(ctx, webhookId, ['webhookId']);
      if (!(since < until)) throw new UserErrors([userError(['until'], 'INVALID', `until must be later than since; got since ${since.toISOString()}, until ${until.toISOString()}`)]);
      if (endpoint.disabledAt) throw new UserErrors([userError(['webhookId'], 'INVALID', 'The webhook is disabled; enable it first (updateWebhook)')]);
      const [count] = await ctx.db.$transaction([
        // The endpoint's messages of events in [since, until), oldest first, at most MAX_REPLAY.
        ctx.db.$executeRaw`
          UPDATE "WebhookMessage" m SET state = 'PENDING', attempts = 0, "nextAttemptAt" = now()
          WHERE m.id IN (
            SELECT m2.id FROM "WebhookMessage" m2 JOIN "OutboxEvent" o ON o.id = m2."eventId"
            WHERE m2."endpointId" = ${endpoint.id} AND o."createdAt" >= ${since} AND o."createdAt" < ${until}
            ORDER BY o.id LIMIT ${MAX_REPLAY})`,
        ctx.db.$executeRawUnsafe(WAKE_WORKERS),
      ]);
      return { replayed: count };
    }),
});
