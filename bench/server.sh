#!/usr/bin/env bash
# bench/run server: `ragrt serve` on the customer-service example (its order service started on
# loopback, its documents indexed), loaded by bench/server_bench.cpp (a loopback client of ours,
# streaming chat completions, closed loop) at concurrency 1, 4 and 16 for DURATION seconds each:
# requests/s, p50/p95 latency and time to first token. Twice: with the example's config as shipped
# (the extractive generator, no model) and with the synthetic LLM (llama-tiny: random weights,
# Qwen3 vocabulary, 40 new tokens) as its generator. The questions mix order questions (a tool
# call to the order service) and policy questions, English and Chinese.
# There is no peer server here: the issue asks for our figures at these loads.
# Prints last:
#   RESULT rps_c16=… p95_ms_c16=… ttft_ms_c1=… … llm_rps_c16=… llm_p95_ms_c16=… llm_ttft_ms_c1=…
#   bench/run server [DURATION_S]   (default 15)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY="${RAGRT_PYTHON3:-/usr/bin/python3}"
DURATION="${1:-15}"
WORK="$BUILD/bench_work/server"
rm -rf "$WORK/index" "$WORK/serve-"* "$WORK/traces"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
BENCH="$(bench_binary server_bench)"

TINY="$(tiny_llm "$WORK")"
ORDER=""
SERVE=""
cleanup() {
  [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
  [ -n "$ORDER" ] && kill "$ORDER" 2>/dev/null; wait "$ORDER" 2>/dev/null || true
}
trap cleanup EXIT
example_service "$WORK"

# The example's config with its build folder moved here; a second one with the LLM.
cp "$WORK/ragrt.yaml" "$WORK/extractive.yaml"
"$PY" - "$WORK/extractive.yaml" "$WORK/llm.yaml" "$TINY" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
llm = "generator:\n  type: onnx\n  model: %s\n  sampling: {max_new_tokens: 40}\n" % sys.argv[3]
text, n = re.subn(r"generator:\n(  .*\n)+", llm, text)
if n != 1:
    text += llm
open(sys.argv[2], "w").write(text)
PYEOF

QUESTIONS=(--question "Where is my order #12345?" --question "How long does a refund take?"
           --question "我的订单#12345现在怎么样了？" --question "Can I return a used item?"
           --question "退款多久到账？" --question "How much does express shipping cost?")

# serve CONFIG: `ragrt serve` on a free port (SERVE, URL), ready.
serve() {
  start_serve "$1" "$WORK/serve-$(basename "$1" .yaml).log"
  curl -sf "$URL/readyz" >/dev/null
}
stop_serve() {
  kill "$SERVE" 2>/dev/null; wait "$SERVE" 2>/dev/null || true
  SERVE=""
}

declare -A R
run_config() {  # NAME CONFIG
  serve "$2"
  "$BENCH" --url "$URL" --concurrency 2 --duration 2 --stream "${QUESTIONS[@]}" >/dev/null  # warm-up
  for c in 1 4 16; do
    local out
    out="$("$BENCH" --url "$URL" --concurrency "$c" --duration "$DURATION" --stream --pid "$SERVE" "${QUESTIONS[@]}")"
    echo "$1 c=$c: $out" >&2
    R["$1_rps_c$c"]="$(echo "$out" | "$PY" -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["rps"])')"
    R["$1_p50_ms_c$c"]="$(echo "$out" | "$PY" -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["p50_ms"])')"
    R["$1_p95_ms_c$c"]="$(echo "$out" | "$PY" -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["p95_ms"])')"
    R["$1_ttft_ms_c$c"]="$(echo "$out" | "$PY" -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["ttft_p50_ms"])')"
    R["$1_errors_c$c"]="$(echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["requests"]-d["ok"])')"
  done
  stop_serve
}
run_config ext "$WORK/extractive.yaml"
run_config llm "$WORK/llm.yaml"

line="RESULT rps_c16=${R[ext_rps_c16]} p95_ms_c16=${R[ext_p95_ms_c16]} ttft_ms_c1=${R[ext_ttft_ms_c1]}"
for c in 1 4; do line+=" rps_c$c=${R[ext_rps_c$c]} p50_ms_c$c=${R[ext_p50_ms_c$c]} p95_ms_c$c=${R[ext_p95_ms_c$c]}"; done
line+=" p50_ms_c16=${R[ext_p50_ms_c16]} ttft_ms_c4=${R[ext_ttft_ms_c4]} ttft_ms_c16=${R[ext_ttft_ms_c16]}"
line+=" errors=$(( R[ext_errors_c1] + R[ext_errors_c4] + R[ext_errors_c16] ))"
for c in 1 4 16; do
  line+=" llm_rps_c$c=${R[llm_rps_c$c]} llm_p50_ms_c$c=${R[llm_p50_ms_c$c]} llm_p95_ms_c$c=${R[llm_p95_ms_c$c]} llm_ttft_ms_c$c=${R[llm_ttft_ms_c$c]}"
done
line+=" llm_errors=$(( R[llm_errors_c1] + R[llm_errors_c4] + R[llm_errors_c16] ))"
echo "$line"
