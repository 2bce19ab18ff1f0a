#!/usr/bin/env python3
"""make_tokenize_texts.py OUT [COUNT]: writes COUNT (default 10000) mixed English/Chinese texts, one
JSON string per line, for bench/run tokenize. Deterministic: the words come from the English and
Chinese entries of tests/data/tokenizer_corpus.jsonl and the choices from a fixed-seed xorshift
generator, so every run (and both sides of the benchmark) sees the same texts.

Texts look like RAG chunks: 1 to 12 sentences, each English, Chinese, or English with Chinese
phrases mixed in, with numbers and punctuation; lengths range from a few words to ~1,500 chars.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "data", "tokenizer_corpus.jsonl")


class XorShift:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF or 1

    def next(self):
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.state = x
        return x

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]


def load_material():
    english, chinese = [], []
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            text = e.get("text")
            if text is None:
                continue
            texts = [text] + ([e["pair"]] if "pair" in e else [])
            for t in texts:
                if e["name"].startswith(("en-", "apos-", "long-paragraph", "pair-")):
                    english += re.findall(r"[A-Za-z][A-Za-z']*", t)
                if e["name"].startswith(("zh-", "mix-", "long-zh", "long-mixed", "pair-zh")):
                    for run in re.findall(r"[\u4e00-\u9fff]+", t):
                        chinese += [run[i:i + 2] for i in range(0, len(run) - 1, 2)] + [run[-3:]]
    # Sorted unique lists keep the material independent of corpus order.
    return sorted(set(english)), sorted(set(chinese))


def sentence(rng, english, chinese):
    kind = rng.below(3)
    n = 4 + rng.below(18)
    if kind == 0:
        words = [rng.pick(english) for _ in range(n)]
        if rng.below(4) == 0:
            words.insert(rng.below(len(words)), str(rng.below(100000)))
        s = " ".join(words)
        return s[0].upper() + s[1:] + rng.pick([".", ".", "?", "!", ";"])
    if kind == 1:
        parts = [rng.pick(chinese) for _ in range(n)]
        if rng.below(4) == 0:
            parts.insert(rng.below(len(parts)), str(rng.below(2030)) + "年")
        return "".join(parts) + rng.pick(["。", "。", "？", "！", "，"])
    parts = []
    for _ in range(n):
        parts.append(rng.pick(chinese) if rng.below(2) else " " + rng.pick(english) + " ")
    return "".join(parts).strip() + rng.pick(["。", ".", "？"])


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 10000
    english, chinese = load_material()
    if len(english) < 100 or len(chinese) < 50:
        raise SystemExit(f"{CORPUS}: too little English/Chinese material")
    rng = XorShift(0x5EED_2024)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for _ in range(count):
            sentences = [sentence(rng, english, chinese) for _ in range(1 + rng.below(12))]
            f.write(json.dumps(" ".join(sentences), ensure_ascii=False) + "\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
