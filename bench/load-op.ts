// One operation's load against a running API, for profiling by hand (bench/profile-api.sh):
//   tsx bench/load-op.ts <operation> <seconds> [connections] [url] [api|postgraphile|lowerBound]
// The documents and inputs are the benchmark's own (bench/operations.ts), on catalog_bench_100k.
import { runLoad } from './load.ts';
import { callMaker, loadInputs, OPERATION_NAMES, toHttp, type OperationName, type Target } from './operations.ts';
import { databaseName, withDatabase } from './catalog.ts';

const [op, seconds = '15', connections = '16', url = 'http://127.0.0.1:4890', target = 'api'] = process.argv.slice(2);
if (!OPERATION_NAMES.includes(op as OperationName)) throw new Error(`operation must be one of ${OPERATION_NAMES.join(', ')}`);
if (!['api', 'postgraphile', 'lowerBound'].includes(target)) throw new Error('target must be api, postgraphile or lowerBound');
const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const inputs = await loadInputs(withDatabase(adminUrl, databaseName(100_000)), []);
const next = callMaker(op as OperationName, inputs, 7);
const result = await runLoad({ url, connections: Number(connections), durationS: Number(seconds), maxRequests: 1_000_000, next: () => toHttp(target as Target, op as OperationName, next()) });
console.log(`${op}: ${result.rps.toFixed(0)} req/s, p99 ${result.latency.p99.toFixed(1)} ms, failed ${result.non2xx + result.graphqlErrors + result.errors}`);
