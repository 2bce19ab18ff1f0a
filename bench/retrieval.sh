#!/usr/bin/env bash
# bench/run retrieval: the knowledge-base speed targets, ours against a peer in the same run.
#  - BM25: `ragrt eval beir` on the 5,000 MS MARCO passages of ../shared/datasets (BM25 only, no
#    config): indexing time (load, split, FTS5 insert, commit) and query latency p50/p95 over the 43
#    judged queries (k = 100). Peer: Xapian (Debian python3-xapian, the engine that measured the
#    dataset's reference BM25), same passages and queries, BM25 k1=0.9 b=0.4, English stemming.
#  - dense: exact (Flat) inner-product search over 100,000 random 384-d unit vectors, k = 10, one
#    query at a time (bench/retrieval_bench.cpp). Peer: numpy brute force (one matrix-vector
#    product + argpartition) over the same shape.
# Prints each side's lines, then
#   RESULT index_s=… bm25_p50_ms=… dense_p50_ms=… (ours) peer_index_s=… peer_bm25_p50_ms=… peer_dense_p50_ms=… ndcg_at_10=…
# Targets (2 cores): index_s < 5, bm25_p50_ms < 5, dense_p50_ms < 10.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.bash"
PY=/usr/bin/python3   # Debian's interpreter: python3-xapian and numpy live there
DATA="$SHARED/datasets/msmarco"
WORK="$BUILD/bench_work/retrieval"
mkdir -p "$WORK"

bench_binary retrieval_bench >/dev/null
if ! "$PY" -c 'import xapian' 2>/dev/null; then
  echo "retrieval bench: installing the peer (python3-xapian)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -q python3-xapian >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q python3-xapian >/dev/null; }
fi

"$BUILD/ragrt" eval beir "$DATA" --json --retriever bm25 | tee "$WORK/ours_bm25.json"
"$BUILD/bench/retrieval_bench" --vectors 100000 --dim 384 --queries 200 --k 10 | tee "$WORK/ours_dense.txt"

"$PY" - "$DATA" "$WORK" <<'PYEOF'
import json, shutil, sys, time, statistics
import numpy as np
import xapian

data, work = sys.argv[1], sys.argv[2]
db_path = f"{work}/xapian"
shutil.rmtree(db_path, ignore_errors=True)
corpus = [json.loads(l) for l in open(f"{data}/corpus.jsonl")]
queries = {q["_id"]: q["text"] for q in map(json.loads, open(f"{data}/queries.jsonl"))}
judged = set()
for line in list(open(f"{data}/qrels/test.tsv"))[1:]:
    q, d, g = line.split("\t")
    if int(g) > 0:
        judged.add(q)

t0 = time.perf_counter()
db = xapian.WritableDatabase(db_path, xapian.DB_CREATE_OR_OVERWRITE)
tg = xapian.TermGenerator()
tg.set_stemmer(xapian.Stem("en"))
for d in corpus:
    doc = xapian.Document()
    tg.set_document(doc)
    tg.index_text(d.get("title", ""))
    tg.increase_termpos()
    tg.index_text(d["text"])
    doc.set_data(d["_id"])
    db.add_document(doc)
db.commit()
index_s = time.perf_counter() - t0

qp = xapian.QueryParser()
qp.set_stemmer(xapian.Stem("en"))
qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
qp.set_database(db)
enquire = xapian.Enquire(db)
enquire.set_weighting_scheme(xapian.BM25Weight(0.9, 0, 1, 0.4, 0.5))
lat = []
for qid in sorted(judged):
    t = time.perf_counter()
    enquire.set_query(qp.parse_query(queries[qid]))
    [m.docid for m in enquire.get_mset(0, 100)]
    lat.append((time.perf_counter() - t) * 1000)
bm25_p50 = statistics.median(lat)
print(f"peer bm25 (xapian {xapian.version_string()}) index_s={index_s:.2f} p50_ms={bm25_p50:.3f} queries={len(lat)}")

rng = np.random.default_rng(42)
x = rng.standard_normal((100000, 384), dtype=np.float32)
x /= np.linalg.norm(x, axis=1, keepdims=True)
qs = rng.standard_normal((210, 384), dtype=np.float32)
qs /= np.linalg.norm(qs, axis=1, keepdims=True)
lat = []
for i, q in enumerate(qs):
    t = time.perf_counter()
    s = x @ q
    top = np.argpartition(-s, 10)[:10]
    top[np.argsort(-s[top])]
    if i >= 10:
        lat.append((time.perf_counter() - t) * 1000)
print(f"peer dense (numpy {np.__version__} brute force) vectors=100000 dim=384 p50_ms={statistics.median(lat):.3f}")
with open(f"{work}/peer.txt", "w") as f:
    f.write(f"{index_s} {bm25_p50} {statistics.median(lat)}\n")
PYEOF
"$PY" - "$WORK" <<'PYEOF'
import json, sys
work = sys.argv[1]
bm25 = json.loads(open(f"{work}/ours_bm25.json").read().splitlines()[0])
dense = dict(kv.split("=", 1) for kv in open(f"{work}/ours_dense.txt").read().split()[2:])
peer_index, peer_bm25, peer_dense = map(float, open(f"{work}/peer.txt").read().split())
print(f"RESULT index_s={bm25['index_s']:.2f} bm25_p50_ms={bm25['p50_ms']:.2f} dense_p50_ms={float(dense['p50_ms']):.2f} "
      f"peer_index_s={peer_index:.2f} peer_bm25_p50_ms={peer_bm25:.2f} peer_dense_p50_ms={peer_dense:.2f} "
      f"bm25_p95_ms={bm25['p95_ms']:.2f} ndcg_at_10={bm25['ndcg_at_10']:.4f}")
PYEOF
