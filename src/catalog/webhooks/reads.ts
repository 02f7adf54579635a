// Webhook endpoints and their delivery attempts as a viewer may see them.
//
// DANGER: who sees an endpoint is decided here and nowhere else. An endpoint (its URL, its
// events, its deliveries) is its owner's business and an admin's: for anyone else it does not
// exist (null, NOT_FOUND), never a hint that it does. Secrets are never read out (they are shown
// once, by the mutation that makes them).
import type { Prisma, User, WebhookEndpoint } from '../../generated/prisma/client.ts';
import type { Db } from '../../platform/db/client.ts';
import { newestById, paginate, type ConnectionArgs, type Connection } from '../../platform/pagination/connection.ts';

export type WebhookDeliveryRow = Prisma.WebhookDeliveryGetPayload<{ include: { message: { select: { webhookId: true; event: { select: { type: true } } } } } }>;

const DELIVERY_INCLUDE = { message: { select: { webhookId: true, event: { select: { type: true } } } } } as const;

interface Deps {
  db: Db;
  viewer: User | null;
}

/** Whether `viewer` may see and manage this endpoint: its owner, or an admin. */
export function canManage(viewer: Pick<User, 'id' | 'role'> | null | undefined, endpoint: Pick<WebhookEndpoint, 'ownerId'>): boolean {
  return viewer != null && (viewer.id === endpoint.ownerId || viewer.role === 'ADMIN');
}

/** Whether `viewer` may list `userId`'s endpoints. */
export function canListFor(viewer: Pick<User, 'id' | 'role'> | null | undefined, userId: number): boolean {
  return canManage(viewer, { ownerId: userId });
}

/** The endpoint with this id if the viewer may see it, else null. */
export async function webhookFor(deps: Deps, id: number): Promise<WebhookEndpoint | null> {
  const endpoint = await deps.db.webhookEndpoint.findUnique({ where: { id } });
  return endpoint && canManage(deps.viewer, endpoint) ? endpoint : null;
}

/** The attempt with this id if the viewer may see its endpoint, else null. */
export async function deliveryFor(deps: Deps, id: number): Promise<WebhookDeliveryRow | null> {
  const delivery = await deps.db.webhookDelivery.findUnique({ where: { id }, include: { ...DELIVERY_INCLUDE, endpoint: { select: { ownerId: true } } } });
  if (!delivery || !canManage(deps.viewer, delivery.endpoint)) return null;
  const { endpoint: _endpoint, ...row } = delivery;
  return row;
}

const webhooksNewest = newestById<WebhookEndpoint, Prisma.WebhookEndpointWhereInput, Prisma.WebhookEndpointOrderByWithRelationInput>('webhooks-newest');
const deliveriesNewest = newestById<WebhookDeliveryRow, Prisma.WebhookDeliveryWhereInput, Prisma.WebhookDeliveryOrderByWithRelationInput>('webhook-deliveries-newest');

/** Endpoints, newest first: one owner's, or (ownerId undefined) everyone's. The caller has checked access. */
export function webhookPage(db: Db, ownerId: number | undefined, args: ConnectionArgs): Promise<Connection<WebhookEndpoint>> {
  return paginate({
    args,
    order: webhooksNewest,
    where: ownerId === undefined ? {} : { ownerId },
    and: (a, b) => ({ AND: [a, b] }),
    find: (query) => db.webhookEndpoint.findMany(query),
    count: (where) => db.webhookEndpoint.count({ where }),
  });
}

/** An endpoint's attempts, newest first. The caller has checked access. */
export function deliveryPage(db: Db, endpointId: number, args: ConnectionArgs): Promise<Connection<WebhookDeliveryRow>> {
  return paginate({
    args,
    order: deliveriesNewest,
    where: { endpointId },
    and: (a, b) => ({ AND: [a, b] }),
    find: (query) => db.webhookDelivery.findMany({ ...query, include: DELIVERY_INCLUDE }),
    count: (where) => db.webhookDelivery.count({ where }),
  });
}
