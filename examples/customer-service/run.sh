#!/usr/bin/env bash
# The customer-service example end to end on the embedded default (no model weights needed):
# installs and builds what is missing, starts the example's order-status service on loopback
# (backed by the SQLite database of data/customers.sql), indexes docs/ (English and Chinese
# shipping, returns and refund policies, FAQ), then asks questions with `ragrt ask`: order
# questions call the order tool and cite both the live order data and the shipping policy; then
# runs the example's QA suite (qa.yaml) and prints its pass rate.
#
#   bash examples/customer-service/run.sh                      # the example questions
#   bash examples/customer-service/run.sh "Where is my order #67890?"
#
# Environment: RAGRT_BUILD_DIR (default build/), ORDER_API_KEY (default: a random key for this run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${RAGRT_BUILD_DIR:-$ROOT/build}"
CS="$ROOT/examples/customer-service"
CONFIG="$CS/ragrt.yaml"
WORK="$ROOT/build/example/customer-service"   # the config's relative paths point here, whatever BUILD is

"$ROOT/scripts/setup.sh" >&2
"$ROOT/scripts/build.sh" --target ragrt ragrt-order-service >&2
RAGRT="$BUILD/ragrt"
mkdir -p "$WORK"

# The order service: a random port on 127.0.0.1, an API key only this run knows.
export ORDER_API_KEY="${ORDER_API_KEY:-$(openssl rand -hex 16)}"
rm -f "$WORK/order-service.port"
"$BUILD/ragrt-order-service" --db "$WORK/customers.sqlite" --seed "$CS/data/customers.sql" --port 0 \
  --port-file "$WORK/order-service.port" --api-key-env ORDER_API_KEY >/dev/null 2>"$WORK/order-service.log" &
SERVICE=$!
trap 'kill "$SERVICE" 2>/dev/null; wait "$SERVICE" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$WORK/order-service.port" ] && break
  kill -0 "$SERVICE" 2>/dev/null || { cat "$WORK/order-service.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$WORK/order-service.port" ] || { echo "run.sh: the order service did not start" >&2; exit 1; }
export ORDER_SERVICE_URL="http://127.0.0.1:$(cat "$WORK/order-service.port")"
echo "== order service on $ORDER_SERVICE_URL (log: $WORK/order-service.log)"

echo "== ragrt config check"
"$RAGRT" config check "$CONFIG"
echo
echo "== ragrt index examples/customer-service/docs"
"$RAGRT" index "$CS/docs" --config "$CONFIG"

if [ $# -gt 0 ]; then
  QUESTIONS=("$@")
else
  QUESTIONS=(
    "Where is my order #12345?"
    "我的订单#12345现在怎么样了？"
    "Which orders does alice@example.com have?"
    "How long does a refund take?"
    "退款多久到账？"
    "Do you sell pizza?"
  )
fi
LAST_TRACE=""
for q in "${QUESTIONS[@]}"; do
  echo
  echo "== ragrt ask \"$q\""
  out="$("$RAGRT" ask "$q" --config "$CONFIG" --session example 2> "$WORK/ask.err")" || { cat "$WORK/ask.err" >&2; exit 1; }
  echo "$out"
  grep -v '^\[pipeline' "$WORK/ask.err" >&2 || true
  LAST_TRACE="$(sed -n 's/.*trace \([0-9a-f]\{32\}\)\].*/\1/p' "$WORK/ask.err" | tail -1)"
  [ -n "$LAST_TRACE" ] && echo "(trace $LAST_TRACE)"
done

if [ -n "$LAST_TRACE" ]; then
  echo
  echo "== ragrt trace show ${LAST_TRACE:0:12} (the last answer's audit trace)"
  "$RAGRT" trace show "${LAST_TRACE:0:12}" --config "$CONFIG"
fi

if [ $# -eq 0 ]; then
  echo
  echo "== ragrt eval qa examples/customer-service/qa.yaml (the answer-quality suite; each case in $WORK/qa.txt)"
  status=0
  "$RAGRT" eval qa "$CS/qa.yaml" --config "$CONFIG" > "$WORK/qa.txt" || status=$?
  grep '^FAIL' "$WORK/qa.txt" || true
  tail -1 "$WORK/qa.txt"
  [ "$status" -le 1 ] || exit "$status"   # 1: some case failed, listed above
fi
