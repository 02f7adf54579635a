// The HTTP side of following the catalog, for src/http.ts to mount before its own routes:
// Atom feeds under /feeds/ and the links of digest emails under /digests/. A handler answers
// the requests whose path is its own and returns true; any other path returns false untouched.
//
//   const follow = createFollowHttpHandler();            // settings from the environment
//   if (await follow(req, res, db)) return;
import type http from 'node:http';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { loadFollowConfig } from './config.ts';
import { handleDigestLink, isDigestLinkPath } from './digests/http.ts';
import { handleFeed, isFeedPath } from './feeds/http.ts';

export type FollowHttpHandler = (req: http.IncomingMessage, res: http.ServerResponse, db: Db) => Promise<boolean>;

export interface FollowHttpOptions {
  /** DIGEST_SECRET's keys (default: from the environment). */
  secrets?: readonly string[];
  /** PUBLIC_URL (default: from the environment). */
  publicUrl?: string | undefined;
  logger?: Pick<Logger, 'error'>;
}

export function createFollowHttpHandler(options: FollowHttpOptions = {}): FollowHttpHandler {
  // The environment is read once, here, and only for what was not given.
  const fromEnv = options.secrets === undefined || !('publicUrl' in options) ? loadFollowConfig() : undefined;
  const secrets = options.secrets ?? fromEnv!.secrets;
  const publicUrl = 'publicUrl' in options ? options.publicUrl : fromEnv!.publicUrl;
  return async (req, res, db) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (isFeedPath(url.pathname)) {
      await handleFeed(req, res, url, db, { publicUrl });
      return true;
    }
    if (isDigestLinkPath(url.pathname)) {
      await handleDigestLink(req, res, url, db, { secrets, ...(options.logger ? { logger: options.logger } : {}) });
      return true;
    }
    return false;
  };
}

let fromEnvironment: FollowHttpHandler | undefined;

/** The handler with every setting from the environment, built on first use. */
export const handleFollowRequest: FollowHttpHandler = (req, res, db) => (fromEnvironment ??= createFollowHttpHandler())(req, res, db);
