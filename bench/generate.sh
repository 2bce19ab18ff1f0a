#!/usr/bin/env bash
# bench/run generate: local generation, ours (bench/generate_bench.cpp, the engine of the `onnx`
# generator) against transformers.js (scripts/node/generate_reference.mjs --bench, onnxruntime-node)
# in one run on the same model folder:
#   model: llama-bench, a random-weight LLaMA-style decoder of 100M parameters (hidden 512, 8 layers,
#          8 query / 2 key-value heads, Qwen3's 151,936-token vocabulary, tied embeddings), written
#          by scripts/make_test_models.py --llama-bench into the bench work dir (not committed).
#   both sides: fp32 on CPU, all cores, greedy, prompt of 128 token ids, 64 new tokens, one warm-up.
#   llama-bench's decoding is bound by memory bandwidth (400 MB of weights per token), where both
#   sides run the same ONNX Runtime kernels; so the same comparison also runs on llama-tiny (the
#   test decoder: hidden 32, same vocabulary), where per-token overhead decides (tiny_* figures).
# Ours decodes twice: one token per step like the peer (tok_per_s, ratio), then with prompt-lookup
# speculation, the engine's default (spec_*). The random-weight model's greedy text falls into
# loops that drafts predict, which a real model answering from passages does differently: the
# spec_* figures show the mechanism works and costs little, not what a real model gains.
# Ours also measures: the KV cache (decode speed at a 240-256 token context with and without it),
# batching (8 requests of 64 tokens one at a time vs all at once) and the prefix cache (time to
# first token of a 496-token prompt whose first 480 tokens an earlier request shared).
# Prints last:
#   RESULT ttft_ms=… tok_per_s=… peer_tok_per_s=… ratio=… cache_speedup=… batch8_speedup=… …
# Extra arguments go to generate_bench (e.g. --prompt 256 --new 128).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY="${RAGRT_PYTHON3:-/usr/bin/python3}"
NODE="${RAGRT_NODE:-node}"
WORK="$BUILD/bench_work/generate"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

BENCH="$(bench_binary generate_bench)"

# Model: regenerated only when the generator changed.
stamp="$(sha256sum "$ROOT/scripts/make_test_models.py" | awk '{print $1}')"
QWEN_JSON="$WORK/tokenizers/qwen3-bpe"
RAGRT_PYTHON3="$PY" bash "$ROOT/scripts/fixtures/10-tokenizer-json.sh" "$WORK" >/dev/null
MODEL="$WORK/models/llama-bench"
if [ ! -f "$MODEL/.stamp" ] || [ "$(cat "$MODEL/.stamp")" != "$stamp" ]; then
  rm -rf "$MODEL"
  "$PY" "$ROOT/scripts/make_test_models.py" "$WORK/models" --llama-bench \
    --minilm-tokenizer "$SHARED/models/tokenizers/minilm-wordpiece" \
    --qwen-tokenizer "$SHARED/models/tokenizers/qwen3-bpe" --qwen-tokenizer "$QWEN_JSON" >/dev/null
  echo "$stamp" > "$MODEL/.stamp"
fi

TINY="$(tiny_llm "$WORK")"

ours_json="$("$BENCH" --model "$MODEL" "$@")"
peer_json="$(cd "$ROOT/scripts/node" && "$NODE" generate_reference.mjs "$WORK/models" --bench llama-bench 128 64)"
echo "peer: $peer_json" >&2
tiny_json="$("$BENCH" --model "$TINY" --only-single)"
tiny_peer_json="$(cd "$ROOT/scripts/node" && "$NODE" generate_reference.mjs "$WORK/models" --bench llama-tiny 128 64)"
echo "peer: $tiny_peer_json" >&2

"$PY" - "$ours_json" "$peer_json" "$tiny_json" "$tiny_peer_json" <<'PYEOF'
import json, sys
ours, peer, tiny, tiny_peer = (json.loads(a) for a in sys.argv[1:5])
fields = {
    "ttft_ms": ours["ttft_ms"], "tok_per_s": ours["tok_per_s"],
    "peer_ttft_ms": peer["ttft_ms"], "peer_tok_per_s": peer["decode_tok_per_s"],
    "ratio": ours["tok_per_s"] / peer["decode_tok_per_s"],
    "spec_tok_per_s": ours["spec_tok_per_s"], "spec_ratio": ours["spec_tok_per_s"] / peer["decode_tok_per_s"],
    "spec_accept_rate": ours["spec_accept_rate"],
    "cache_speedup": ours["cache_speedup"], "batch8_speedup": ours["batch8_speedup"],
    "cold_ttft_ms": ours["cold_ttft_ms"], "prefix_ttft_ms": ours["prefix_ttft_ms"],
    "tiny_tok_per_s": tiny["tok_per_s"], "tiny_peer_tok_per_s": tiny_peer["decode_tok_per_s"],
    "tiny_ratio": tiny["tok_per_s"] / tiny_peer["decode_tok_per_s"],
}
print("RESULT " + " ".join(f"{k}={v:.2f}" for k, v in fields.items()))
PYEOF
