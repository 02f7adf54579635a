// The app as tests use it: the real Apollo server with the real configuration, run through
// `executeOperation` on a test database.
import assert from 'node:assert';
import type { ApolloServer } from '@apollo/server';
import { loadConfig } from '../../src/config.ts';
import { createContext, type Context } from '../../src/context.ts';
import { createLogger } from '../../src/logger.ts';
import { createServer } from '../../src/server.ts';
import type { TestDatabase } from './database.ts';

export interface GqlResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  apollo: ApolloServer<Context>;
  /** Runs one operation as an HTTP client would, with a fresh context (fresh loaders). */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>>;
  /** Like `gql`, and fails the test on any error. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function createTestServer(t: TestDatabase, env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const apollo = createServer({ config, logger: createLogger(config) });
  await apollo.start();
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue: createContext(t.db) });
    assert(response.body.kind === 'single');
    // Through JSON, as a client receives it (scalars such as DateTime serialise on the wire).
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GqlResult<T>;
  };
  return {
    apollo,
    gql,
    async data<T>(query: string, variables?: Record<string, unknown>) {
      const result = await gql<T>(query, variables);
      expect(result.errors).toBeUndefined();
      return result.data as T;
    },
    stop: () => apollo.stop(),
  };
}
