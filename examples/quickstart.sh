#!/usr/bin/env bash
# The main job on the embedded default, as far as ragrt goes today: tokenize, embed and rerank the
# sample customer-service texts in examples/quickstart/texts.txt on the CPU, then index the bundled
# customer-service documents (examples/customer-service/docs: Markdown, HTML, text, CSV and
# Chinese JSONL), search them with BM25, and search with hybrid retrieval + rerank. Answering
# questions (tools, citations, traces) is examples/customer-service/run.sh.
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

CS="$ROOT/examples/customer-service"
echo
echo "== ragrt index examples/customer-service/docs (BM25, examples/customer-service/ragrt.yaml)"
"$RAGRT" index "$CS/docs" --config "$CS/ragrt.yaml"
QUESTION="How long does a refund take?"
echo
echo "== ragrt search \"$QUESTION\" (bm25)"
"$RAGRT" search "$QUESTION" --config "$CS/ragrt.yaml" -k 2
echo "== ragrt search \"退款多久到账\" (bm25, Chinese)"
"$RAGRT" search "退款多久到账" --config "$CS/ragrt.yaml" -k 1
# Questions answered with citations, tools and traces: bash examples/customer-service/run.sh

# The same documents with the embedder and reranker above: hybrid (BM25 + dense, RRF) + rerank.
HYBRID="$BUILD/quickstart/ragrt-hybrid.yaml"
cat > "$HYBRID" <<YAML
collection: $BUILD/example-index/customer-service-hybrid
ingest: {text_fields: [text], id_field: id, title_field: title, metadata_fields: [lang]}
splitter: {chunk_tokens: 64, overlap_tokens: 8}
embedder: {model: $EMBED}
reranker: {model: $RERANK}
retrievers:
  bm25: {type: bm25}
  dense: {type: dense}
  hybrid: {type: hybrid, sources: [bm25, dense], rrf_k: 60, rerank: {top_n: 10}}
YAML
echo
echo "== ragrt index + search with hybrid retrieval and rerank ($HYBRID)"
"$RAGRT" index "$CS/docs" --config "$HYBRID"
"$RAGRT" search "$QUESTION" --config "$HYBRID" -k 2
