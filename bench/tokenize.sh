#!/usr/bin/env bash
# bench/run tokenize: single-threaded encode throughput, ours (bench/tokenize_bench.cpp) against
# Hugging Face's Rust tokenizers through Node (bench/tokenize_peer.mjs, encodeBatch with Rust
# parallelism off), on the same 10,000 mixed English/Chinese texts
# (scripts/bench/make_tokenize_texts.py), with the Qwen3 tokenizer (the tokenizer.json that
# scripts/make_tokenizer_json.py writes from the shared vocab.json + merges.txt) and the MiniLM
# tokenizer (its shared tokenizer.json, fixed padding to 128 included on both sides).
# Prints one line per tokenizer and side, then
#   RESULT ours_per_s=… peer_per_s=… ratio=…
# where each figure is the geometric mean over the two tokenizers of texts per second, and ratio
# is ours/peer (above 1: ours is faster); wall-clock based. The per-tokenizer lines also give
# texts per CPU second, which a busy machine disturbs less. Extra arguments go to both sides
# (e.g. --min-seconds 5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY="${RAGRT_PYTHON3:-python3}"
WORK="$BUILD/bench_work/tokenize"
mkdir -p "$WORK"

BENCH="$(bench_binary tokenize_bench)"
bash "$ROOT/scripts/fixtures/10-tokenizer-json.sh" "$WORK" >/dev/null
TEXTS="$WORK/texts.jsonl"
GEN="$ROOT/scripts/bench/make_tokenize_texts.py"
if [ ! -s "$TEXTS" ] || [ "$GEN" -nt "$TEXTS" ] || [ "$ROOT/tests/data/tokenizer_corpus.jsonl" -nt "$TEXTS" ]; then
  "$PY" "$GEN" "$TEXTS" 10000
fi
QWEN="$WORK/tokenizers/qwen3-bpe/tokenizer.json"
MINILM="$SHARED/models/tokenizers/minilm-wordpiece/tokenizer.json"

"$BENCH" "$TEXTS" "qwen3=$QWEN" "minilm=$MINILM" "$@" | tee "$WORK/ours.txt"
TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 \
  node "$ROOT/bench/tokenize_peer.mjs" "$TEXTS" "qwen3=$QWEN" "minilm=$MINILM" "$@" | tee "$WORK/peer.txt"

"$PY" - "$WORK/ours.txt" "$WORK/peer.txt" <<'PYEOF'
import math, sys

def read(path):
    out = {}
    for line in open(path):
        fields = line.split()
        kv = dict(f.split("=", 1) for f in fields[2:])
        out[fields[1]] = (float(kv["texts_per_s"]), int(kv["tokens_per_pass"]), float(kv["cpu_texts_per_s"]))
    return out

ours, peer = read(sys.argv[1]), read(sys.argv[2])
names = sorted(ours)
if sorted(peer) != names:
    raise SystemExit(f"tokenize bench: ours measured {names}, peer {sorted(peer)}")
for n in names:
    note = "" if ours[n][1] == peer[n][1] else f"  (token counts differ: ours {ours[n][1]}, peer {peer[n][1]})"
    print(f"{n}: ours {ours[n][0]:.1f} texts/s, peer {peer[n][0]:.1f} texts/s, ratio {ours[n][0] / peer[n][0]:.3f}"
          f" (per CPU second: ours {ours[n][2]:.1f}, peer {peer[n][2]:.1f}, ratio {ours[n][2] / peer[n][2]:.3f}){note}")
geo = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs))
o, p = geo([ours[n][0] for n in names]), geo([peer[n][0] for n in names])
print(f"RESULT ours_per_s={o:.1f} peer_per_s={p:.1f} ratio={o / p:.3f}")
PYEOF
