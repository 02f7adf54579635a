// What the metrics cost (src/platform/telemetry/metrics.ts), without a server: the recording of
// one daily-page request (its HTTP answer, its operation, two connections and two statements),
// and a scrape after 10,000 distinct operation names were sent (the goal: under 50 ms; names
// past METRICS_OPERATION_NAMES count as `other`).
//   npx tsx bench/telemetry.ts
import { Metrics } from '../src/platform/telemetry/metrics.ts';

const metrics = new Metrics({ processMetrics: false });
const dailyRequest = () => {
  metrics.httpRequest('POST', '/graphql', 200, 0.004);
  metrics.operation({ name: 'DailyAnon', type: 'query', outcome: 'ok', executionSeconds: 0.003, totalSeconds: 0.0035 });
  for (let i = 0; i < 2; i++) {
    metrics.poolAcquired('primary', 0.0001, false);
    metrics.statement('primary', 0.002, false);
  }
};
for (let i = 0; i < 50_000; i++) dailyRequest();
for (let round = 0; round < 3; round++) {
  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) dailyRequest();
  console.log(`recording one daily request: ${(((performance.now() - started) * 1000) / n).toFixed(2)} µs`);
}

const scraped = new Metrics();
for (let i = 0; i < 10_000; i++) scraped.operation({ name: `Op${i}`, type: 'query', outcome: 'ok', executionSeconds: 0.001, totalSeconds: 0.002 });
for (let round = 0; round < 5; round++) {
  const started = performance.now();
  const { body } = await scraped.scrape();
  console.log(`scrape after 10,000 operation names: ${(performance.now() - started).toFixed(1)} ms, ${body.length} bytes`);
}
