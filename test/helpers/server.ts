// The app as tests use it: the real Apollo server with the real configuration, run through
// `executeOperation` on a test database, or over real HTTP on port 0.
import assert from 'node:assert';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.ts';
import { contextFromRequest, createContext, type Context } from '../../src/context.ts';
import type { User } from '../../src/generated/prisma/client.ts';
import { createHttpHandler, listen, type RunningHttpServer } from '../../src/http.ts';
import { createLogger } from '../../src/logger.ts';
import { createServer } from '../../src/server.ts';
import { generateToken } from '../../src/users/tokens.ts';
import type { TestDatabase } from './database.ts';

export interface GqlResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface Caller {
  /** Runs one operation with a fresh context (fresh loaders), as this caller. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Like `gql`, and fails the test on any error. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface TestServer extends Caller {
  apollo: ApolloServer<Context>;
  /** The same server, with `viewer` signed in (no token involved: tokens are tested over HTTP). */
  as(viewer: User | null): Caller;
  stop(): Promise<void>;
}

export async function createTestServer(t: TestDatabase, env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const apollo = createServer({ config, logger: createLogger(config) });
  await apollo.start();
  const as = (viewer: User | null): Caller => {
    const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> => {
      const response = await apollo.executeOperation({ query, variables }, { contextValue: createContext(t.db, viewer) });
      assert(response.body.kind === 'single');
      // Through JSON, as a client receives it (scalars such as DateTime serialise on the wire).
      return JSON.parse(JSON.stringify(response.body.singleResult)) as GqlResult<T>;
    };
    return {
      gql,
      async data<T>(query: string, variables?: Record<string, unknown>) {
        const result = await gql<T>(query, variables);
        expect(result.errors).toBeUndefined();
        return result.data as T;
      },
    };
  };
  return { apollo, as, ...as(null), stop: () => apollo.stop() };
}

export interface TestHttp extends RunningHttpServer {
  /** POSTs an operation to /graphql, with `token` as a Bearer token when given. */
  post(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: GqlResult }>;
}

/** The real HTTP front door on a free port, with token authentication. */
export async function startTestHttp(t: TestDatabase, server: TestServer): Promise<TestHttp> {
  const running = await listen(
    createHttpHandler({ apollo: server.apollo, db: t.db, logger: createLogger({ logLevel: 'silent' }), context: (req) => contextFromRequest(t.db, req.headers) }),
    0,
    '127.0.0.1',
  );
  return {
    ...running,
    async post(query, variables, token) {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GqlResult };
    },
  };
}

/** A user with a fresh API token. */
export async function userWithToken(t: TestDatabase, handle: string, role: 'READER' | 'CURATOR' | 'ADMIN' = 'READER') {
  const user = await t.db.user.create({ data: { handle, displayName: handle, role } });
  const { token, tokenHash, prefix } = generateToken();
  const apiToken = await t.db.apiToken.create({ data: { userId: user.id, name: 'test', tokenHash, prefix } });
  return { user, token, apiToken };
}
