#!/usr/bin/env bash
# A/B of two or more builds of the API under one operation's load, alternated (A B A B ...), for
# a change meant to be faster: the figure to compare is the server's CPU per request (from
# /proc, user + system), which moves far less than req/s when something else loads the machine.
#
#   bash bench/ab.sh save <name>     npm run build, then keep dist/ (and schema.graphql) as <name>
#   bash bench/ab.sh run <operation> <connections> <seconds> <rounds> <name> <name> [...]
#
# e.g. save "before", make the change, save "after", then
#   bash bench/ab.sh run dailyAnon 16 10 3 before after
# A name may carry node's flags after a colon, comma-separated, to compare flags on one build:
#   bash bench/ab.sh run newest 64 10 3 after after:--max-semi-space-size=32
# (default: NODEFLAGS, else those of `npm run start:prod`: bench/api-env.sh). Needs the 100k bench catalog
# (`npm run bench` makes it). Builds live in .bench-builds/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
source bench/api-env.sh
builds=$root/.bench-builds

if [ "${1:-}" = save ]; then
  name=${2:?name}; dir=$builds/$name
  npm run build --silent
  rm -rf "$dir"; mkdir -p "$dir"
  cp -r dist "$dir/dist"; cp schema.graphql "$dir/"
  # dist/ finds the project root two levels up from its modules: give it one.
  for link in node_modules prisma package.json src; do ln -s "$root/$link" "$dir/$link"; done
  echo "saved $dir"
  exit 0
fi

[ "${1:-}" = run ] || { sed -n '2,12p' "$0"; exit 2; }
op=$2; conn=$3; secs=$4; rounds=$5; shift 5; names=("$@")
url=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/catalog_bench_100k}
declare -A pids ports
i=0
for name in "${names[@]}"; do
  build=${name%%:*}; flags=${NODEFLAGS:-${API_NODE_FLAGS[*]}}
  [[ $name == *:* ]] && flags=${name#*:} && flags=${flags//,/ }
  [ -f "$builds/$build/dist/main.js" ] || { echo "no build $build: bash bench/ab.sh save $build"; exit 2; }
  port=$((4800 + i)); ports[$name]=$port; i=$((i + 1))
  # shellcheck disable=SC2086 # flags: one word each
  env "${API_ENV[@]}" DATABASE_URL="$url" PORT=$port HOST=127.0.0.1 \
    node $flags "$builds/$build/dist/main.js" > "$builds/$build.$i.log" 2>&1 &
  pids[$name]=$!
done
trap 'for n in "${names[@]}"; do kill -INT ${pids[$n]} 2>/dev/null || true; done' EXIT
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for name in "${names[@]}"; do
  for _ in $(seq 120); do curl -sf "http://127.0.0.1:${ports[$name]}/healthz" > /dev/null && break; sleep 0.5; done
  npx tsx bench/load-op.ts "$op" 3 "$conn" "http://127.0.0.1:${ports[$name]}" > /dev/null   # warm-up
done
ticks=$(getconf CLK_TCK)
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    pid=${pids[$name]}; before=$(cpu "$pid")
    out=$(npx tsx bench/load-op.ts "$op" "$secs" "$conn" "http://127.0.0.1:${ports[$name]}")
    after=$(cpu "$pid")
    rps=$(sed -E 's/.*: ([0-9]+) req.*/\1/' <<< "$out")
    per=$(awk -v t=$((after - before)) -v hz="$ticks" -v r="$rps" -v s="$secs" 'BEGIN { printf "%.2f", t * 1000 / hz / (r * s) }')
    echo "$name round $round: $out; server CPU $per ms/request; peak RSS $(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status") MB"
  done
done
