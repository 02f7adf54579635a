// Who a request is, for rate limiting: its API token's user, else its network address.
//
// Budgets are per user, not per token: all of a user's tokens spend from `user:<id>`. Which user
// a token belongs to is known once the request is authenticated; it is remembered here (a
// bounded map from token hash to user key) so that the next request with that token is checked
// against its user's budget and in-flight count at the door, before any lookup.
//
// DANGER: keys are stored and may reach logs or a shared store. A token is keyed by its SHA-256
// (the same hash the database keeps), never by the secret itself.
import type http from 'node:http';
import net from 'node:net';
import { bearerSecret, hashToken } from '../../catalog/users/tokens.ts';

export interface Client {
  /** `token:<sha256>` or `ip:<address>`: whose budget a request spends. */
  readonly key: string;
  readonly kind: 'token' | 'anonymous';
  /** The network address's key, whatever the request carries (failed sign-ins are charged here). */
  readonly addressKey: string;
}

export function identifyClient(req: http.IncomingMessage, trustProxy: boolean): Client {
  const addressKey = `ip:${addressGroup(clientAddress(req, trustProxy))}`;
  const authorization = req.headers.authorization;
  if (authorization) {
    // Whatever follows "Bearer" (or the whole header when it is malformed): a request with a bad
    // header is refused by authentication, but still spends from a budget of its own.
    const secret = bearerSecret(authorization) ?? authorization;
    return { key: `token:${hashToken(secret)}`, kind: 'token', addressKey };
  }
  return { key: addressKey, kind: 'anonymous', addressKey };
}

/**
 * The socket's peer, or with `trustProxy` the address the nearest proxy saw (the last entry of
 * X-Forwarded-For: entries before it were written by the client and prove nothing).
 */
export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last && net.isIP(last)) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * IPv4 addresses stand for themselves; IPv6 ones are grouped by their /64, the block a single
 * subscriber usually gets (one client could otherwise rotate through 2^64 addresses).
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** Token hashes whose user is known, at most this many (the oldest learned is forgotten first). */
const MAX_KNOWN_OWNERS = 10_000;
const owners = new Map<string, string>();

/** The budget a request spends: its user's once known, else its token's or address's. */
export function budgetKey(client: Client, userId?: number | null): string {
  if (client.kind !== 'token') return client.key;
  if (userId == null) return owners.get(client.key) ?? client.key;
  const key = `user:${userId}`;
  if (owners.get(client.key) !== key) {
    owners.delete(client.key);
    if (owners.size >= MAX_KNOWN_OWNERS) owners.delete(owners.keys().next().value!);
    owners.set(client.key, key);
  }
  return key;
}
