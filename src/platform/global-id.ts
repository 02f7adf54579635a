// Opaque global ids (Relay): base64url of "<Type>:<database id>". Clients must treat them as
// opaque; the encoding lets the server route `node(id)` without a lookup table.
import { badInput, truncate } from './errors.ts';

export const NODE_TYPES = ['Paper', 'Author', 'Topic', 'User', 'ApiToken', 'AuthorClaim', 'Comment', 'Follow', 'Collection', 'Webhook', 'WebhookDelivery'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export function toGlobalId(type: NodeType, id: number): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

export interface DecodedId {
  type: NodeType;
  id: number;
}

/** Decodes a global id; a malformed one is BAD_USER_INPUT naming the argument. */
export function fromGlobalId(globalId: string, argumentName = 'id'): DecodedId {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const match = /^([A-Za-z]+):([1-9][0-9]{0,9})$/.exec(decoded);
  const type = match?.[1] as NodeType | undefined;
  const id = Number(match?.[2]);
  if (!type || !NODE_TYPES.includes(type) || !Number.isSafeInteger(id) || id > 2_147_483_647) {
    throw badInput(`${argumentName} is not a valid ID: expected an id returned by this API; got "${truncate(globalId)}"`, argumentName);
  }
  return { type, id };
}

/** Decodes a global id that must be of one type (e.g. `author(id)` given a Paper id). */
export function fromGlobalIdOf(type: NodeType, globalId: string, argumentName = 'id'): number {
  const decoded = fromGlobalId(globalId, argumentName);
  if (decoded.type !== type) {
    throw badInput(`${argumentName} must be the ID of a ${type}; got the ID of a ${decoded.type}`, argumentName);
  }
  return decoded.id;
}
