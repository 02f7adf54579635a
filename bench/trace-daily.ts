// One trace of the daily page, as its span names and durations (the README's "Operations"
// figure): the API as src/main.ts builds it, over the 100k bench catalog, with tracing into the
// OpenTelemetry in-memory exporter. A few warm-up requests first (compiled documents, prepared
// statements, open connections), then the traced one.
//   npx tsx bench/trace-daily.ts
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { loadConfig } from '../src/config.ts';
import { trendingScores } from '../src/catalog/papers/trending.ts';
import { createGraphQL } from '../src/graphql/schema.ts';
import { buildApp, listen } from '../src/http/app.ts';
import { createServer } from '../src/http/server.ts';
import { createDb } from '../src/platform/db/client.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { Metrics } from '../src/platform/telemetry/metrics.ts';
import { startTracing } from '../src/platform/telemetry/tracing.ts';
import { OPERATIONS } from './operations.ts';

const url = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/catalog_bench_100k';
const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '1000000', DATABASE_URL: url });
const exporter = new InMemorySpanExporter();
const tracing = (await startTracing({ otlpEndpoint: undefined, exporter }))!;
const telemetry = { metrics: new Metrics(), tracing };
const database = createDb({ connectionString: url, telemetry, poolTimeoutMs: config.database.poolTimeoutMs });
const platform = createPlatform(database, { trending: trendingScores(database.db) });
const logger = createLogger(config);
const graphql = createGraphQL(config);
const apollo = createServer({ config, logger, graphql, metrics: telemetry.metrics });
await apollo.start();
const running = await listen(await buildApp({ apollo, platform, logger, config, telemetry }), 0, '127.0.0.1');

// The day before the latest, as the bench's dailyDates (the latest is still filling).
const day = (await database.db.$queryRaw<{ day: string }[]>`SELECT DISTINCT "featuredOn"::text AS day FROM "Paper" WHERE "featuredOn" IS NOT NULL ORDER BY 1 DESC OFFSET 1 LIMIT 1`)[0]!.day;
const daily = () =>
  fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: OPERATIONS.dailyAnon.document, variables: { date: day } }) }).then((r) => r.json());
for (let i = 0; i < 20; i++) await daily();
await new Promise((resolve) => setTimeout(resolve, 100));
exporter.reset();
await daily();
await new Promise((resolve) => setTimeout(resolve, 100));

const spans = exporter.getFinishedSpans();
const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
const root = spans.find((s) => s.name === 'POST /graphql')!;
const children = (parent: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId).sort((a, b) => ms(a.startTime) - ms(b.startTime));
const print = (span: ReadableSpan, depth: number) => {
  const start = ms(span.startTime) - ms(root.startTime);
  const text = span.attributes['db.query.text'] ? `  ${String(span.attributes['db.query.text']).replace(/\s+/g, ' ').slice(0, 70)}…` : '';
  console.log(`${'  '.repeat(depth)}${span.name}  ${ms(span.duration).toFixed(2)} ms  (at +${start.toFixed(2)} ms)${text}`);
  for (const child of children(span)) print(child, depth + 1);
};
console.log(`daily page of ${day}, 100k catalog, one request after 20 warm-up ones:`);
print(root, 0);

await running.close();
await apollo.stop();
await database.close();
await tracing.shutdown();
