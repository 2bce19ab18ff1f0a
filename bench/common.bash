# Sourced by every bench/NAME.sh (a .bash file, so bench/run does not offer it as a bench): where
# the repository, the build and ../shared are, and bench_binary NAME, which prints the path of
# bench/NAME after building it when it is missing (bench/run builds everything first; this covers
# running a script directly).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${RAGRT_BUILD_DIR:-$ROOT/build}"
SHARED="${RAGRT_SHARED_DIR:-$ROOT/../shared}"

bench_binary() {
  local bin="$BUILD/bench/$1"
  if [ ! -x "$bin" ]; then
    cmake --build "$BUILD" --target "$1" >/dev/null
  fi
  echo "$bin"
}

# example_service WORK: the customer-service example ready to serve from WORK: its config with the
# build folder moved there (WORK/ragrt.yaml), its order service on a free loopback port (pid in
# ORDER; ORDER_SERVICE_URL and ORDER_API_KEY exported) and its documents indexed.
example_service() {
  local work="$1" cs="$ROOT/examples/customer-service"
  cmake --build "$BUILD" --target ragrt ragrt-order-service >/dev/null
  sed "s#\.\./\.\./build/example/customer-service#$work#g" "$cs/ragrt.yaml" > "$work/ragrt.yaml"
  export ORDER_API_KEY="$(openssl rand -hex 16)"
  rm -f "$work/order.port"
  "$BUILD/ragrt-order-service" --db "$work/customers.sqlite" --seed "$cs/data/customers.sql" --port 0 \
    --port-file "$work/order.port" --api-key-env ORDER_API_KEY >/dev/null 2>"$work/order.log" &
  ORDER=$!
  for _ in $(seq 1 100); do [ -s "$work/order.port" ] && break; sleep 0.1; done
  [ -s "$work/order.port" ] || { echo "the order service did not start: $(cat "$work/order.log")" >&2; return 1; }
  export ORDER_SERVICE_URL="http://127.0.0.1:$(cat "$work/order.port")"
  "$BUILD/ragrt" index "$cs/docs" --config "$work/ragrt.yaml" >/dev/null 2>&1
}

# tiny_llm WORK: prints the folder of llama-tiny (the test decoder: random weights, hidden 32,
# Qwen3's vocabulary) under WORK/models, written by scripts/make_test_models.py when missing or
# when the script changed.
tiny_llm() {
  local work="$1" py="${RAGRT_PYTHON3:-/usr/bin/python3}"
  local stamp tiny="$work/models/llama-tiny"
  stamp="$(sha256sum "$ROOT/scripts/make_test_models.py" | awk '{print $1}')"
  if [ ! -f "$tiny/.stamp" ] || [ "$(cat "$tiny/.stamp")" != "$stamp" ]; then
    RAGRT_PYTHON3="$py" bash "$ROOT/scripts/fixtures/10-tokenizer-json.sh" "$work" >/dev/null
    rm -rf "$work/test-models" "$tiny"
    "$py" "$ROOT/scripts/make_test_models.py" "$work/test-models" \
      --minilm-tokenizer "$SHARED/models/tokenizers/minilm-wordpiece" \
      --qwen-tokenizer "$SHARED/models/tokenizers/qwen3-bpe" --qwen-tokenizer "$work/tokenizers/qwen3-bpe" >/dev/null
    mkdir -p "$work/models"
    mv "$work/test-models/llama-tiny" "$tiny"
    rm -rf "$work/test-models"
    echo "$stamp" > "$tiny/.stamp"
  fi
  echo "$tiny"
}

# start_serve CONFIG LOG: `ragrt serve --config CONFIG` on a free port, stdout in LOG and stderr in
# LOG.err; sets SERVE (its pid) and URL once it listens.
start_serve() {
  "$BUILD/ragrt" serve --config "$1" --port 0 >"$2" 2>"$2.err" &
  SERVE=$!
  URL=""
  for _ in $(seq 1 300); do
    URL="$(sed -n 's#^ragrt: listening on \(http://[^ ]*\).*#\1#p' "$2" | head -1)"
    [ -n "$URL" ] && return 0
    kill -0 "$SERVE" 2>/dev/null || break
    sleep 0.1
  done
  echo "ragrt serve did not start: $(cat "$2.err")" >&2
  return 1
}
