#!/usr/bin/env bash
# The main job on the embedded default, as far as ragrt goes today: tokenize, embed and rerank the
# sample customer-service texts in examples/quickstart/texts.txt on the CPU.
#
#   bash examples/quickstart.sh
#
# Models: set RAGRT_EMBED_MODEL and RAGRT_RERANK_MODEL to model folders (tokenizer.json,
# config.json, onnx/model.onnx), for example ones fetched with
#   build/ragrt models pull sentence-transformers/all-MiniLM-L6-v2
#   build/ragrt models pull cross-encoder/ms-marco-MiniLM-L6-v2
# Without them (pretrained weights cannot reach every machine) the script builds small models with
# the same layout and the real MiniLM tokenizer but RANDOM weights: the commands and formats are
# the real ones, the similarity and rerank scores mean nothing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${RAGRT_BUILD_DIR:-$ROOT/build}"
SHARED="${RAGRT_SHARED_DIR:-$ROOT/../shared}"
TEXTS="$ROOT/examples/quickstart/texts.txt"
SHOW="$ROOT/examples/quickstart/show.py"

"$ROOT/scripts/setup.sh" >&2
"$ROOT/scripts/build.sh" --target ragrt >&2
RAGRT="$BUILD/ragrt"

EMBED="${RAGRT_EMBED_MODEL:-}"
RERANK="${RAGRT_RERANK_MODEL:-}"
if [ -z "$EMBED" ] || [ -z "$RERANK" ]; then
  MODELS="$BUILD/quickstart/models"
  if [ ! -f "$MODELS/.done" ]; then
    echo "quickstart: building random-weight models into $MODELS (set RAGRT_EMBED_MODEL / RAGRT_RERANK_MODEL to use real ones)" >&2
    rm -rf "$MODELS"
    /usr/bin/python3 "$ROOT/scripts/make_test_models.py" "$MODELS" \
      --minilm-tokenizer "$SHARED/models/tokenizers/minilm-wordpiece" >&2
    touch "$MODELS/.done"
  fi
  echo "quickstart: models with RANDOM weights (real tokenizer): scores below show the pipeline, not relevance."
  EMBED="${EMBED:-$MODELS/bert-mean}"
  RERANK="${RERANK:-$MODELS/cross-encoder}"
fi

mapfile -t SAMPLES < <(grep -v '^\s*$' "$TEXTS")

echo "== ragrt tokenize ($EMBED)"
"$RAGRT" tokenize --model "$EMBED" "${SAMPLES[0]}" "${SAMPLES[3]}"

echo
echo "== ragrt embed: ${#SAMPLES[@]} texts"
"$RAGRT" embed --model "$EMBED" --format object "${SAMPLES[@]}" | /usr/bin/python3 "$SHOW" embed

QUERY="How long does a refund take?"
echo
echo "== ragrt rerank: \"$QUERY\" ($RERANK)"
"$RAGRT" rerank --model "$RERANK" --query "$QUERY" --sort "${SAMPLES[@]}" | /usr/bin/python3 "$SHOW" rerank "${SAMPLES[@]}"
