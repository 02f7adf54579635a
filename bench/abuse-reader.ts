// The signed-in readers and the /healthz probe of bench/abuse.ts, in a process of their own so
// that the attacker's load generator (in the parent) does not delay their clocks.
//
// Readers: the daily page (bench/operations.ts's `daily`: 50 papers with authors and topics,
// signed in) sent open-loop at `rate` requests per second in total, round-robin over the given
// tokens (each a user with a budget of its own, each well within it), for `seconds`. Open
// loop: a request leaves at its time whether or not the previous one has answered, so a stalled
// server shows as latency, not as fewer requests.
// Probe: GET /healthz every `probeEveryMs` (closed loop): its longest answer is the longest
// stall of the server's event loop that a client saw.
//
// Input: the JSON of ReaderJob in argv[2]. Output: the JSON of ReaderResult on stdout.
import http from 'node:http';
import { OPERATIONS } from './operations.ts';
import { bearer, graphqlBody, request } from './abuse-server.ts';

export interface ReaderJob {
  url: string;
  tokens: string[];
  dates: string[];
  rate: number;
  seconds: number;
  probeEveryMs: number;
}

export interface ReaderSample {
  /** ms since the start of the job, when the request left. */
  t: number;
  ms: number;
  /** HTTP status; 0: no answer (timeout, connection error). */
  status: number;
  /** 2xx with GraphQL `errors`. */
  errors: boolean;
}

export interface ReaderResult {
  reader: ReaderSample[];
  healthz: { t: number; ms: number; status: number }[];
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as ReaderJob;
  // As many connections as requests in flight: ten users' browsers would not queue behind each
  // other, and a queue here would add the client's wait to what the server is measured by.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  const end = started + job.seconds * 1000;
  const result: ReaderResult = { reader: [], healthz: [] };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  const probe = (async () => {
    while (performance.now() < end) {
      const t = performance.now() - started;
      try {
        const answer = await request(job.url, { path: '/healthz', agent: probeAgent, timeoutMs: 30_000 });
        result.healthz.push({ t, ms: answer.ms, status: answer.status });
      } catch {
        result.healthz.push({ t, ms: performance.now() - started - t, status: 0 });
      }
      await sleep(job.probeEveryMs - (performance.now() - started - t));
    }
  })();

  const inFlight: Promise<void>[] = [];
  const document = OPERATIONS.daily.document;
  for (let i = 0; ; i++) {
    const at = started + (i * 1000) / job.rate;
    if (at >= end) break;
    await sleep(at - performance.now());
    const t = performance.now() - started;
    const token = job.tokens[i % job.tokens.length]!;
    const date = job.dates[i % job.dates.length]!;
    inFlight.push(
      request(job.url, { path: '/graphql', body: graphqlBody(document, { date }), headers: bearer(token), agent, timeoutMs: 30_000 }).then(
        (answer) => {
          const ok = answer.status >= 200 && answer.status < 300;
          result.reader.push({ t, ms: answer.ms, status: answer.status, errors: ok && answer.body.includes('"errors":[') });
        },
        () => {
          result.reader.push({ t, ms: performance.now() - started - t, status: 0, errors: false });
        },
      ),
    );
  }
  await Promise.all(inFlight);
  await probe;
  agent.destroy();
  probeAgent.destroy();
  process.stdout.write(JSON.stringify(result));
}

await main();
