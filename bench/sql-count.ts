// SQL statements per operation: each operation run once in process, through the real Apollo
// server (createServer) over a Prisma client that counts what it sends (createDb's onQuery).
// Signed-in operations get their context from contextFromRequest, so the token lookup counts.
//
// Each is run twice and the second run counted: the first use of a token also writes its
// lastUsedAt (throttled to once a minute per token, not awaited), which is bookkeeping, not
// the steady state a page sees. The first run's count is reported too.
import assert from 'node:assert';
import { loadConfig } from '../src/config.ts';
import { contextFromRequest, createContext } from '../src/catalog/context.ts';
import { createDb } from '../src/platform/db/client.ts';
import { benchPlatform } from './platform.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createServer } from '../src/http/server.ts';
import { OPERATIONS, type Call, type OperationName } from './operations.ts';

export interface StatementCount {
  /** Statements of the counted (second) run. */
  statements: number;
  /** Statements of the first run, lastUsedAt bookkeeping included. */
  firstRun: number;
  /** The counted run's statements, each cut to 300 characters. */
  sql: string[];
}

/** Statements sent after an operation resolves (un-awaited writes) are still counted. */
const SETTLE_MS = 100;

export async function countStatements(url: string, calls: Record<OperationName, Call>, env: Record<string, string>): Promise<Record<OperationName, StatementCount>> {
  let log: string[] = [];
  const database = createDb({ connectionString: url, onQuery: (sql) => log.push(sql) });
  const platform = benchPlatform(database);
  const config = loadConfig({ ...env, NODE_ENV: 'production', LOG_LEVEL: 'silent' });
  const apollo = createServer({ config, logger: createLogger(config) });
  await apollo.start();
  try {
    // The trending page's first request in a process waits for a refresh: done here, uncounted.
    await platform.trending.refreshNow();
    const result = {} as Record<OperationName, StatementCount>;
    for (const [name, call] of Object.entries(calls) as [OperationName, Call][]) {
      const op = OPERATIONS[name];
      const run = async () => {
        log = [];
        const contextValue = op.signedIn
          ? await contextFromRequest(platform, { authorization: `Bearer ${call.token}` })
          : createContext(platform);
        const response = await apollo.executeOperation({ query: op.document, variables: call.variables }, { contextValue });
        assert(response.body.kind === 'single');
        const errors = response.body.singleResult.errors;
        if (errors?.length) throw new Error(`${name} failed in process: ${JSON.stringify(errors).slice(0, 500)}`);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return log;
      };
      const first = (await run()).length;
      const counted = await run();
      result[name] = { statements: counted.length, firstRun: first, sql: counted.map((s) => s.replace(/\s+/g, ' ').slice(0, 300)) };
    }
    return result;
  } finally {
    await apollo.stop();
    await database.close();
  }
}
