"""Formats `ragrt embed --format object` / `ragrt rerank` JSON (stdin) for examples/quickstart.sh."""
import json
import sys


def show_embeddings(out):
    vecs = out["embeddings"]
    print("model {}: dimension {}, pooling {}, normalized {}, provider {}".format(
        out["model"], out["dimension"], out["pooling"], out["normalized"], out["provider"]))
    for i, v in enumerate(vecs):
        print("  text {}: [{}, ...]".format(i, ", ".join("{:+.4f}".format(x) for x in v[:6])))
    sims = (sum(a * b for a, b in zip(vecs[0], v)) for v in vecs)
    print("  cosine of text 0 with each text:", " ".join("{:.3f}".format(s) for s in sims))


def show_scores(scores, texts):
    for r in scores:
        print("  {:+.4f}  {}".format(r["score"], texts[r["index"]]))


if __name__ == "__main__":
    data = json.load(sys.stdin)
    if sys.argv[1] == "embed":
        show_embeddings(data)
    else:
        show_scores(data, sys.argv[2:])
