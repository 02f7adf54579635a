// DANGER: server-side request forgery. A webhook URL is the one place where a client makes this
// service open a connection of the client's choosing; without these checks an endpoint at
// http://169.254.169.254/ or http://10.0.0.5:6379/ would turn deliveries into requests inside
// the operator's network. So:
// - only https (a host listed in WEBHOOK_ALLOW_INSECURE_TARGETS may be http, on any address:
//   for tests and local development);
// - every address the host resolves to must be public unicast: no loopback, private (10/8,
//   172.16/12, 192.168/16), CGNAT (100.64/10), link-local (169.254/16: cloud metadata),
//   0.0.0.0/8, broadcast, multicast, reserved and documentation ranges, nor their IPv6
//   counterparts (::1, ::, fc00::/7, fe80::/10, ff00::/8), nor IPv6 forms that carry an IPv4
//   address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo);
// - checked when the endpoint is saved AND at every delivery after resolving the name, and the
//   delivery then connects to the very address that was checked (`lookup` pinned in send.ts),
//   so a name that resolves to a public address at the check and to 127.0.0.1 at the connect
//   (DNS rebinding) cannot slip through.
// Ranges are classified by ipaddr.js (the classification of proxy-addr and so of Express and
// Fastify): it knows every IANA special-purpose block, where a hand-written list forgets one.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export const MAX_URL_LENGTH = 2000;

export interface TargetPolicy {
  /** Lower-cased host names (or bracketed IPv6 literals) allowed over http and on any address. */
  readonly allowInsecureTargets: readonly string[];
}

/** A URL the service refuses to call, with a message for the client. */
export class RefusedTarget extends Error {
  constructor(
    message: string,
    /** `invalid`: not a URL we take; `forbidden`: an address we do not call. */
    readonly kind: 'invalid' | 'forbidden',
  ) {
    super(message);
  }
}

export interface ResolvedTarget {
  readonly url: URL;
  /** The checked address to connect to, and its family. */
  readonly address: string;
  readonly family: 4 | 6;
}

/** The address class of an IP literal: `unicast` when public, else ipaddr.js's name of its range. */
export function addressClass(address: string): string {
  // `process` turns an IPv4-mapped IPv6 address into the IPv4 address it carries, so that
  // ::ffff:127.0.0.1 is judged as 127.0.0.1; any other IPv6 form carrying IPv4 is its own range.
  const parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  return parsed.range();
}

export function isPublicAddress(address: string): boolean {
  try {
    return addressClass(address) === 'unicast';
  } catch {
    return false;
  }
}

function allowedInsecure(policy: TargetPolicy, url: URL): boolean {
  return policy.allowInsecureTargets.includes(url.hostname.toLowerCase());
}

/** Parses and checks a URL's form (scheme, credentials, length); no DNS. */
export function parseTarget(raw: string, policy: TargetPolicy): URL {
  if (raw.length > MAX_URL_LENGTH) throw new RefusedTarget(`url must be at most ${MAX_URL_LENGTH} characters; got ${raw.length}`, 'invalid');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedTarget('url must be an absolute https:// URL', 'invalid');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowedInsecure(policy, url))) {
    throw new RefusedTarget(`url must use https://; got ${url.protocol}//`, 'invalid');
  }
  if (url.username !== '' || url.password !== '') throw new RefusedTarget('url must not carry a user name or password', 'invalid');
  if (url.hash !== '') throw new RefusedTarget('url must not have a #fragment', 'invalid');
  return url;
}

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Resolves the URL's host and checks every address it has (one private address among public
 * ones is refused too: the connection could go to any of them). Returns the first address, to
 * connect to. A host of WEBHOOK_ALLOW_INSECURE_TARGETS skips the address check.
 */
export async function resolveTarget(url: URL, policy: TargetPolicy, lookup: Lookup = systemLookup): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch {
      throw new RefusedTarget(`the host ${url.hostname} does not resolve`, 'invalid');
    }
    if (addresses.length === 0) throw new RefusedTarget(`the host ${url.hostname} does not resolve`, 'invalid');
  }
  if (!allowedInsecure(policy, url)) {
    for (const { address } of addresses) {
      if (!isPublicAddress(address)) {
        let range = 'invalid';
        try {
          range = addressClass(address);
        } catch {
          // unparsable: refused as 'invalid'
        }
        throw new RefusedTarget(`url must point at a public address; ${url.hostname} is ${address === host ? 'an address' : `resolves to an address`} of the ${range} range`, 'forbidden');
      }
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
