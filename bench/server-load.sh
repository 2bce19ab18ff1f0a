#!/usr/bin/env bash
# bench/run server-load: `ragrt serve` on the customer-service example (extractive generator)
# under twice the load it can carry: its capacity is measured first (closed loop, 16 clients, 10 s),
# then requests start at 2x that rate for DURATION seconds (open loop, bench/server_bench.cpp
# --rate; at most 128 in flight), with the server's resident memory sampled every second; then it
# gets SIGTERM under load and must drain. Passes when the server never crashed, answered nothing
# 5xx except 503 while draining, and its memory stayed flat (growth between the second and last
# fifth of the run under 10%).
# Prints last: RESULT capacity_rps=… offered_rps=… ok_rps=… requests=… status_200=… status_429=…
#              status_5xx=… rss_first_mb=… rss_last_mb=… rss_growth_mb=… drain_5xx=… exit_code=… pass=…
#   bench/run server-load [DURATION_S]   (default 300)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY="${RAGRT_PYTHON3:-/usr/bin/python3}"
DURATION="${1:-300}"
WORK="$BUILD/bench_work/server-load"
rm -rf "$WORK"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
BENCH="$(bench_binary server_bench)"
ORDER=""
SERVE=""
trap 'kill $SERVE $ORDER 2>/dev/null; wait 2>/dev/null || true' EXIT
example_service "$WORK"

start_serve "$WORK/ragrt.yaml" "$WORK/serve.log"

Q=(--question "Where is my order #12345?" --question "How long does a refund take?"
   --question "我的订单#12345现在怎么样了？" --question "Can I return a used item?")
json_get() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

cap="$("$BENCH" --url "$URL" --concurrency 16 --duration 10 --stream "${Q[@]}")"
echo "capacity: $cap" >&2
capacity="$(echo "$cap" | json_get '"%.1f" % d["rps"]')"
rate="$("$PY" -c "print('%.1f' % (2 * $capacity))")"

load="$("$BENCH" --url "$URL" --rate "$rate" --concurrency 128 --duration "$DURATION" --stream --pid "$SERVE" "${Q[@]}")"
echo "overload: $load" >&2
alive=1
kill -0 "$SERVE" 2>/dev/null || alive=0

# Drain: SIGTERM while a closed loop keeps asking; only 503 (and refused connections) may fail.
"$BENCH" --url "$URL" --concurrency 16 --duration 6 --stream "${Q[@]}" >"$WORK/drain.json" &
DRAIN=$!
sleep 2
kill -TERM "$SERVE"
set +e
wait "$SERVE"
exit_code=$?
set -e
SERVE=""
wait "$DRAIN"
echo "drain: $(cat "$WORK/drain.json")" >&2
drain_5xx="$(json_get 'sum(v for k, v in d["statuses"].items() if k.startswith("5") and k != "503")' <"$WORK/drain.json")"

status() { echo "$load" | json_get "d['statuses'].get('$1', 0)"; }
s5xx="$(echo "$load" | json_get 'sum(v for k, v in d["statuses"].items() if k.startswith("5"))')"
growth="$(echo "$load" | json_get '"%.1f" % d.get("rss_growth_mb", 0)')"
first="$(echo "$load" | json_get '"%.1f" % d.get("rss_first_mb", 0)')"
last="$(echo "$load" | json_get '"%.1f" % d.get("rss_last_mb", 0)')"
flat="$("$PY" -c "print(1 if $growth < 0.1 * max($first, 1) else 0)")"
pass=0
[ "$alive" = 1 ] && [ "$s5xx" = 0 ] && [ "$drain_5xx" = 0 ] && [ "$exit_code" = 0 ] && [ "$flat" = 1 ] && pass=1
echo "RESULT capacity_rps=$capacity offered_rps=$rate ok_rps=$(echo "$load" | json_get '"%.1f" % d["rps"]')" \
  "requests=$(echo "$load" | json_get 'd["requests"]') status_200=$(status 200) status_429=$(status 429)" \
  "status_5xx=$s5xx no_answer=$(status no_answer) p95_ms=$(echo "$load" | json_get '"%.1f" % d["p95_ms"]')" \
  "rss_first_mb=$first rss_last_mb=$last rss_growth_mb=$growth drain_5xx=$drain_5xx exit_code=$exit_code pass=$pass"
