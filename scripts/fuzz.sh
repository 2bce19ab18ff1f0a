#!/usr/bin/env bash
# Fuzzes the tokenizer with libFuzzer (clang, AddressSanitizer, UndefinedBehaviorSanitizer).
#   scripts/fuzz.sh [TARGET] [SECONDS]
# TARGET: tokenizer_json_fuzz (input = a tokenizer.json), tokenizer_encode_fuzz (input = text for
# several real tokenizers), or all (default). SECONDS per target, default 60. Crash inputs are
# written to build-fuzz/findings/TARGET/; exits non-zero when a target finds something.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${RAGRT_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SHARED="${RAGRT_SHARED_DIR:-$ROOT/../shared}"
TARGET="${1:-all}"
SECONDS_PER_TARGET="${2:-60}"

"$ROOT/scripts/setup.sh" >/dev/null
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link" -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
    -DRAGRT_FUZZ=ON -DRAGRT_BUILD_TESTS=OFF -DRAGRT_BUILD_BENCH=OFF \
    -DRAGRT_SHARED_DIR="$SHARED" >/dev/null
fi
targets=(tokenizer_json_fuzz tokenizer_encode_fuzz)
[ "$TARGET" = all ] || targets=("$TARGET")
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}"

# Seed corpora, rebuilt each run from the repo's test data (never written into the repo).
seed() {
  local dir="$BUILD/seeds/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case "$1" in
    tokenizer_json_fuzz)
      # The small test tokenizers (30-40 KB); the MB-sized real ones would slow every run.
      cp "$ROOT"/tests/data/tokenizers/*.json "$dir/" ;;
    tokenizer_encode_fuzz)
      /usr/bin/python3 - "$ROOT/tests/data/tokenizer_corpus.jsonl" "$dir" <<'PY'
import json, sys
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    e = json.loads(line)
    raw = bytes.fromhex(e["hex"]) if "hex" in e else e["text"].encode("utf-8", "surrogatepass")
    pair = e.get("pair")
    body = raw + (pair.encode("utf-8", "surrogatepass") if isinstance(pair, str) else b"")
    open(f"{sys.argv[2]}/seed{i:04d}", "wb").write(bytes([len(raw) % 256]) + body)
PY
      ;;
  esac
}

status=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in "${targets[@]}"; do
  seed "$t"
  corpus="$BUILD/corpus/$t"; findings="$BUILD/findings/$t"
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (corpus $corpus, findings $findings)"
  if ! "$BUILD/fuzz/$t" "$corpus" "$BUILD/seeds/$t" -max_total_time="$SECONDS_PER_TARGET" \
       -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/"; then
    echo "fuzz: $t FOUND A PROBLEM; reproduce with: $BUILD/fuzz/$t $findings/<file>" >&2
    status=1
  fi
done
exit $status
