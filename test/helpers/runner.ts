// One test runner for every test file that needs the database (after Keystone's
// `setupTestRunner`): call it once at the top of a file (or of a describe) and it registers the
// hooks that every such file used to repeat:
//
//   beforeAll   a database of the file's own (createTestDatabase), the Apollo server, the HTTP app
//   beforeEach  empty tables, then the named scenario (when `reset` is 'each', the default)
//   afterAll    HTTP app, server and database closed, in that order, even after a failed start
//
// What it built is read through the returned object's getters (`run.t`, `run.server`,
// `run.scenario`...), which fail with a clear message when read outside a test (e.g. at module
// level, before beforeAll ran). `createTestDatabase` and `createTestServer` stay available for
// the few files that need something else (two databases, a server per test).
import type { Db } from '../../src/platform/db/client.ts';
import type { Platform } from '../../src/platform/platform.ts';
import { CatalogEvents } from '../../src/platform/events/bus.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.ts';
import { createTestServer, startTestHttp, type TestHttp, type TestHttpOptions, type TestServer } from './server.ts';

export interface TestRunnerOptions<S> {
  /** Which database (createTestDatabase's options); default: DATABASE_URL's server, else embedded. */
  database?: TestDatabaseOptions;
  /** Server configuration on top of NODE_ENV=test (limits, rate limit...); a function is called in beforeAll. */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Build the Apollo server (default true). */
  server?: boolean;
  /** Also start the real HTTP app on port 0 (default false); with options, those of `startTestHttp`. */
  http?: boolean | Omit<TestHttpOptions, 'events'>;
  /**
   * A live-event hub (CatalogEvents) that `run.server`'s operations and the HTTP app publish to
   * and the test can listen on (default false). With `http: { subscriptions: {} }` the WebSocket
   * side listens to it as well.
   */
  events?: boolean;
  /** Named data written after each reset (test/helpers/scenarios.ts). */
  scenario?: (db: Db) => Promise<S>;
  /**
   * 'each' (default): empty tables and a fresh scenario before every test; 'once': before the
   * first only; 'manual': never by itself, for a file whose describes reset in their own hooks
   * (`run.t.reset()`), some before each test, some once for a group of read-only tests.
   */
  reset?: 'each' | 'once' | 'manual';
}

export interface TestRunner<S> {
  readonly t: TestDatabase;
  readonly db: Db;
  /** The platform object over `t` (test/helpers/database.ts). */
  readonly platform: Platform;
  readonly server: TestServer;
  readonly http: TestHttp;
  readonly events: CatalogEvents;
  readonly scenario: S;
}

export function setupTestRunner<S = undefined>(options: TestRunnerOptions<S> = {}): TestRunner<S> {
  const built: { t?: TestDatabase; server?: TestServer; http?: TestHttp; events?: CatalogEvents; scenario?: S; hasScenario?: boolean } = {};
  const fresh = async () => {
    await built.t!.reset();
    if (options.scenario) {
      built.scenario = await options.scenario(built.t!.db);
      built.hasScenario = true;
    }
  };

  beforeAll(async () => {
    built.t = await createTestDatabase(options.database);
    if (options.events) built.events = new CatalogEvents();
    const env = typeof options.env === 'function' ? options.env() : options.env;
    if (options.server !== false || options.http) built.server = await createTestServer(built.t, env, built.events ? { events: built.events } : {});
    if (options.http) {
      const httpOptions = typeof options.http === 'object' ? options.http : {};
      built.http = await startTestHttp(built.t, built.server!, { ...httpOptions, ...(built.events ? { events: built.events } : {}) });
    }
    if (options.reset === 'once') await fresh();
  });
  if (options.reset === undefined || options.reset === 'each') beforeEach(fresh);
  afterAll(async () => {
    // Each step runs even when an earlier one failed or never started.
    await built.http?.close().catch(() => {});
    await built.server?.stop().catch(() => {});
    await built.t?.close();
  });

  const need = <K extends keyof typeof built>(key: K, hint: string): NonNullable<(typeof built)[K]> => {
    const value = built[key];
    if (value === undefined) throw new Error(`setupTestRunner: ${String(key)} is not available here (${hint})`);
    return value as NonNullable<(typeof built)[K]>;
  };
  return {
    get t() {
      return need('t', 'read it inside a test or hook, not at module level');
    },
    get db() {
      return need('t', 'read it inside a test or hook, not at module level').db;
    },
    get platform() {
      return need('t', 'read it inside a test or hook, not at module level').platform;
    },
    get server() {
      return need('server', 'it is built unless `server: false`; read it inside a test');
    },
    get http() {
      return need('http', 'pass `http: true`');
    },
    get events() {
      return need('events', 'pass `events: true`');
    },
    get scenario() {
      if (!built.hasScenario) throw new Error('setupTestRunner: no scenario (pass `scenario`, and read it inside a test)');
      return built.scenario as S;
    },
  };
}
