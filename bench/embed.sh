#!/usr/bin/env bash
# bench/run embed: sentence-embedding throughput, ours (bench/embed_bench.cpp, ragrt::Embedder) against
# transformers.js (bench/embed_peer.mjs, onnxruntime-node), in one run, on the same model folder and
# the same 2,000 mixed-length texts:
#   model: a random-weight BERT with all-MiniLM-L6-v2's shape (6 layers, hidden 384, 12 heads,
#          intermediate 1536, MiniLM tokenizer, mean pooling + normalize), written by
#          scripts/make_test_models.py --minilm-l6 into the bench work dir (not committed);
#   texts: 2,000 texts drawn with a fixed seed from the shared MS MARCO / DBpedia subsets: queries,
#          passages, and 2-4 passages joined (cut at the model's 128 tokens on both sides).
# Both sides: fp32 on CPU, batch size 32, all cores, tokenization included in the timing, one warm-up
# batch first. Ours sorts texts by length and pads each batch to its own longest text; the peer
# embeds batches in input order, as transformers.js' feature-extraction pipeline is used.
# The first 64 vectors of both sides are compared (min cosine printed) so a fast wrong answer shows.
# Prints last:
#   RESULT ours_texts_per_s=… peer_texts_per_s=… ratio=… peak_rss_mb=…
# (ratio = ours/peer; peak_rss_mb is our process's). Extra arguments go to embed_bench.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY="${RAGRT_PYTHON3:-/usr/bin/python3}"
WORK="$BUILD/bench_work/embed"
BATCH="${RAGRT_BENCH_BATCH:-32}"
mkdir -p "$WORK"

BENCH="$(bench_binary embed_bench)"

# Model: regenerated only when the generator changed.
stamp="$(sha256sum "$ROOT/scripts/make_test_models.py" | awk '{print $1}')"
if [ ! -f "$WORK/models/minilm-l6/.stamp" ] || [ "$(cat "$WORK/models/minilm-l6/.stamp")" != "$stamp" ]; then
  rm -rf "$WORK/models"
  "$PY" "$ROOT/scripts/make_test_models.py" "$WORK/models" --minilm-l6 \
    --minilm-tokenizer "$SHARED/models/tokenizers/minilm-wordpiece" >/dev/null
  echo "$stamp" > "$WORK/models/minilm-l6/.stamp"
fi

TEXTS="$WORK/texts.txt"
if [ ! -s "$TEXTS" ] || [ "${BASH_SOURCE[0]}" -nt "$TEXTS" ]; then
  "$PY" - "$SHARED/datasets" "$TEXTS" <<'PYEOF'
import json, random, sys
root, out = sys.argv[1], sys.argv[2]
def load(path):
    with open(path, encoding="utf-8") as f:
        return [" ".join(json.loads(line)["text"].split()) for line in f]
queries = load(f"{root}/msmarco/queries.jsonl") + load(f"{root}/dbpedia/queries.jsonl")
passages = [p for p in load(f"{root}/msmarco/corpus.jsonl") + load(f"{root}/dbpedia/corpus.jsonl") if p]
rng = random.Random(20240601)
texts = []
for i in range(2000):
    kind = rng.random()
    if kind < 0.25:
        texts.append(rng.choice(queries))
    elif kind < 0.80:
        texts.append(rng.choice(passages))
    else:
        texts.append(" ".join(rng.choice(passages) for _ in range(rng.randint(2, 4))))
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(texts) + "\n")
PYEOF
fi

MAXLEN="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["truncation"]["max_length"])' \
  "$WORK/models/minilm-l6/tokenizer.json")"
nproc_="$(nproc)"
echo "embed bench: $(wc -l < "$TEXTS") texts, minilm-l6 shape, max_length $MAXLEN, batch $BATCH, $nproc_ cores"

"$BENCH" --model "$WORK/models/minilm-l6" --texts "$TEXTS" --batch-size "$BATCH" --threads "$nproc_" \
  --dump-first 64 --dump "$WORK/ours_vectors.json" "$@" | tee "$WORK/ours.txt"
node "$ROOT/bench/embed_peer.mjs" "$WORK/models" minilm-l6 "$TEXTS" "$MAXLEN" "$BATCH" 64 "$WORK/peer_vectors.json" \
  | tee "$WORK/peer.txt"

"$PY" - "$WORK" <<'PYEOF'
import json, math, sys
work = sys.argv[1]
def kv(path, key):
    for line in open(path):
        if line.startswith(key + "="):
            return dict(f.split("=", 1) for f in line.split())
    raise SystemExit(f"embed bench: no {key} line in {path}")
ours, peer = kv(f"{work}/ours.txt", "ours_texts_per_s"), kv(f"{work}/peer.txt", "peer_texts_per_s")
a = json.load(open(f"{work}/ours_vectors.json"))
b = json.load(open(f"{work}/peer_vectors.json"))
def cos(x, y):
    return sum(p * q for p, q in zip(x, y)) / math.sqrt(sum(p * p for p in x) * sum(q * q for q in y))
cmin = min(cos(x, y) for x, y in zip(a, b))
print(f"agreement: min cosine over the first {min(len(a), len(b))} vectors = {cmin:.7f}")
if cmin < 0.9999:
    raise SystemExit("embed bench: ours and the peer disagree; the figures would be meaningless")
o, p = float(ours["ours_texts_per_s"]), float(peer["peer_texts_per_s"])
print(f"RESULT ours_texts_per_s={o:.1f} peer_texts_per_s={p:.1f} ratio={o / p:.2f} peak_rss_mb={ours['peak_rss_mb']}")
PYEOF
