#!/usr/bin/env bash
# CPU profile of the API (dist/, as `npm run start:prod` runs it) under one operation's load,
# summarised by bench/profile.ts (self time by layer, package, function):
#   bash bench/profile-api.sh <operation> [seconds]      e.g. bash bench/profile-api.sh dailyAnon 15
# Needs `npm run build` and the 100k bench catalog (`npm run bench` makes it).
set -euo pipefail
cd "$(dirname "$0")/.."
op=${1:?operation}; seconds=${2:-15}; port=4890
dir=$(mktemp -d)
source bench/api-env.sh
env "${API_ENV[@]}" DATABASE_URL="${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/catalog_bench_100k}" PORT=$port \
  node "${API_NODE_FLAGS[@]}" --cpu-prof --cpu-prof-dir="$dir" dist/main.js &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
npx tsx bench/load-op.ts "$op" 3 16 "http://127.0.0.1:$port" >/dev/null   # warm-up
npx tsx bench/load-op.ts "$op" "$seconds" 16 "http://127.0.0.1:$port"
kill -INT $pid; wait $pid || true
f=$(ls -S "$dir"/*.cpuprofile | head -1); echo "profile: $f"; npx tsx bench/profile.ts "$f"
