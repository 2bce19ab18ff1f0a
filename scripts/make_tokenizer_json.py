#!/usr/bin/env python3
"""make_tokenizer_json.py DIR OUT: writes OUT (a tokenizer.json) from DIR's vocab.json + merges.txt +
tokenizer_config.json, the way Hugging Face transformers turns a slow GPT-2 / Qwen2 tokenizer into a
fast one (convert_slow_tokenizer.py: Qwen2Converter when tokenizer_class is Qwen2Tokenizer(Fast),
GPT2Converter otherwise), then adds the tokens of added_tokens_decoder the way
PreTrainedTokenizerFast.__init__ does. Plain python3, no transformers/tokenizers needed.

src/text/vocab_merges_converter.cpp does the same conversion in C++; keep the two identical.
"""
import json
import os
import sys

# Qwen2Converter's pre-tokenizer pattern (transformers/convert_slow_tokenizer.py).
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_CLASSES = ("Qwen2Tokenizer", "Qwen2TokenizerFast")


def fail(msg):
    raise SystemExit(f"make_tokenizer_json.py: {msg}")


def load_json(path, required=True):
    if not os.path.exists(path):
        if required:
            fail(f"{path} is missing")
        return {}
    with open(path, encoding="utf-8") as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            fail(f"{path}: not valid JSON ({e})")


def read_merges(path, qwen2):
    with open(path, encoding="utf-8") as f:
        content = f.read()
    if qwen2:
        # Qwen2Tokenizer: skips a leading "#version:" line and blank lines.
        merges = []
        for i, line in enumerate(content.split("\n")):
            line = line.strip()
            if (i == 0 and line.startswith("#version:")) or not line:
                continue
            merges.append(line.split())
    else:
        # GPT2Tokenizer: drops the first line (#version) and the last (empty after the final newline).
        merges = [line.split() for line in content.split("\n")[1:-1]]
    for n, m in enumerate(merges):
        if len(m) != 2:
            fail(f"{path}: merge {n + 1} is {m!r}, expected two space-separated tokens")
    # The slow tokenizer keeps merges as dict keys (bpe_ranks), so a repeated pair keeps its first
    # position and the converter lists it once.
    return [list(m) for m in dict.fromkeys(tuple(m) for m in merges)]


def token_content(value):
    # Special tokens in tokenizer_config.json are either strings or AddedToken dicts.
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get("content")
    return value


def added_tokens(config, vocab):
    """AddedVocabulary::add_tokens in tokenizers: an added token keeps its id when the model vocab
    has it, else takes the next id after the model vocab and the tokens added before it."""
    decoder = config.get("added_tokens_decoder", {}) or {}
    tokens = []
    for index in sorted(decoder, key=lambda k: int(k)):
        t = decoder[index]
        tokens.append({
            "content": t["content"],
            "single_word": bool(t.get("single_word", False)),
            "lstrip": bool(t.get("lstrip", False)),
            "rstrip": bool(t.get("rstrip", False)),
            "normalized": bool(t.get("normalized", not t.get("special", False))),
            "special": bool(t.get("special", False)),
            "config_id": int(index),
        })
    # Named special tokens not listed in added_tokens_decoder are added as special tokens
    # (PreTrainedTokenizerFast: all_special_tokens_extended not yet in the encoder).
    special_names = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                     "mask_token"]
    specials = [token_content(config.get(n)) for n in special_names]
    for key in ("additional_special_tokens", "extra_special_tokens"):
        extra = config.get(key) or []
        specials += [token_content(t) for t in (extra.values() if isinstance(extra, dict) else extra)]
    present = {t["content"] for t in tokens}
    for content in specials:
        if content is None or content in present:
            continue
        present.add(content)
        tokens.append({"content": content, "single_word": False, "lstrip": False, "rstrip": False,
                       "normalized": False, "special": True, "config_id": None})
    # A token named special anywhere is special (PreTrainedTokenizerFast marks it so).
    special_set = {c for c in specials if c is not None}
    out = []
    next_id = len(vocab)
    used = {}
    for t in tokens:
        if t["content"] in vocab:
            tid = vocab[t["content"]]
        elif t["content"] in used:
            tid = used[t["content"]]
        else:
            tid = next_id
            next_id += 1
        used[t["content"]] = tid
        if t["config_id"] is not None and t["config_id"] != tid:
            print(f"make_tokenizer_json.py: warning: added token {t['content']!r} gets id {tid}, "
                  f"tokenizer_config.json says {t['config_id']}", file=sys.stderr)
        out.append({"id": tid, "content": t["content"], "single_word": t["single_word"],
                    "lstrip": t["lstrip"], "rstrip": t["rstrip"], "normalized": t["normalized"],
                    "special": t["special"] or t["content"] in special_set})
    return out


def byte_level(add_prefix_space, trim_offsets, use_regex):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": trim_offsets,
            "use_regex": use_regex}


def convert(directory):
    config = load_json(os.path.join(directory, "tokenizer_config.json"), required=False)
    vocab = load_json(os.path.join(directory, "vocab.json"))
    if not isinstance(vocab, dict) or not all(isinstance(v, int) for v in vocab.values()):
        fail(f"{directory}/vocab.json must map each token to an integer id")
    qwen2 = config.get("tokenizer_class") in QWEN2_CLASSES
    merges = read_merges(os.path.join(directory, "merges.txt"), qwen2)
    add_prefix_space = bool(config.get("add_prefix_space", False))

    model = {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
             "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
             "ignore_merges": False,
             "vocab": dict(sorted(vocab.items(), key=lambda kv: kv[1])), "merges": merges}
    if qwen2:
        normalizer = {"type": "NFC"}
        pre_tokenizer = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": False},
            byte_level(add_prefix_space, False, False),
        ]}
        post_processor = byte_level(True, False, True)  # processors.ByteLevel(trim_offsets=False)
        decoder = byte_level(True, True, True)  # decoders.ByteLevel() defaults
    else:
        normalizer = None
        pre_tokenizer = byte_level(add_prefix_space, True, True)
        decoder = byte_level(True, True, True)  # decoders.ByteLevel() defaults
        if config.get("add_bos_token", False):
            bos = token_content(config.get("bos_token"))
            if bos is None or bos not in vocab:
                fail(f"{directory}/tokenizer_config.json: add_bos_token is true but bos_token "
                     f"{bos!r} is not in vocab.json")
            post_processor = {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {bos: {"id": bos, "ids": [vocab[bos]], "tokens": [bos]}},
            }
        else:
            post_processor = byte_level(True, False, True)  # processors.ByteLevel(trim_offsets=False)

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens(config, vocab),
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": post_processor,
        "decoder": decoder,
        "model": model,
    }


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    directory, out = sys.argv[1], sys.argv[2]
    tokenizer = convert(directory)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
