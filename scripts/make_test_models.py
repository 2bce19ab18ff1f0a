#!/usr/bin/env python3
"""Builds small random-weight ONNX models in the folder layouts that Optimum / transformers.js
export, for ragrt's tests and benchmarks.

    make_test_models.py OUT --minilm-tokenizer DIR [--qwen-tokenizer DIR ...]
        writes OUT/{bert-mean,bert-cls,cross-encoder,pooling-probe,bad-inputs,llama-tiny,llama-tiny-merged,
                    llama-tiny-external}/
    make_test_models.py OUT --minilm-tokenizer DIR --minilm-l6
        writes OUT/minilm-l6/ only: the all-MiniLM-L6-v2 shape (6 layers, hidden 384), for benchmarks
    make_test_models.py OUT --minilm-tokenizer DIR --qwen-tokenizer DIR --llama-bench
        writes OUT/llama-bench/ only: a 100M-parameter decoder (Qwen3 vocabulary), for benchmarks

transformers does not exist here, so the modules below are plain torch with the same math as
Hugging Face's BertModel / BertForSequenceClassification / LlamaForCausalLM. Weights come from
fixed seeds, so two runs write the same tensors.
"""
import argparse
import json
import math
import os
import shutil
import sys
import warnings

import torch
from torch import nn

OPSET = 17  # first opset with LayerNormalization as one op; ORT >= 1.14 runs it
BERT_TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]


# ----------------------------------------------------------------------------------------------
# BERT (same math as transformers' BertModel, eval mode)
# ----------------------------------------------------------------------------------------------
class BertConfig:
    def __init__(self, vocab_size=30522, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=128, max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.max_position_embeddings = max_position_embeddings
        self.type_vocab_size = type_vocab_size
        self.layer_norm_eps = layer_norm_eps

    def to_hf(self, architectures, extra=None):
        d = {
            "architectures": architectures,
            "attention_probs_dropout_prob": 0.1,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "hidden_size": self.hidden_size,
            "initializer_range": 0.02,
            "intermediate_size": self.intermediate_size,
            "layer_norm_eps": self.layer_norm_eps,
            "max_position_embeddings": self.max_position_embeddings,
            "model_type": "bert",
            "num_attention_heads": self.num_attention_heads,
            "num_hidden_layers": self.num_hidden_layers,
            "pad_token_id": 0,
            "position_embedding_type": "absolute",
            "transformers_version": "4.46.0",
            "type_vocab_size": self.type_vocab_size,
            "use_cache": True,
            "vocab_size": self.vocab_size,
        }
        d.update(extra or {})
        return d


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, input_ids, token_type_ids):
        # Positions 0..seq-1, built from the input so the exported graph keeps seq dynamic.
        position_ids = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1
        x = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        x = x + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.num_attention_heads
        self.head_dim = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.attn_out = nn.Linear(c.hidden_size, c.hidden_size)
        self.attn_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.intermediate = nn.Linear(c.hidden_size, c.intermediate_size)
        self.output = nn.Linear(c.intermediate_size, c.hidden_size)
        self.out_norm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, h, additive_mask):
        q, k, v = self.split(self.query(h)), self.split(self.key(h)), self.split(self.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + additive_mask
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        b, _, s, _ = ctx.shape
        ctx = ctx.transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        h = self.attn_norm(self.attn_out(ctx) + h)
        inter = nn.functional.gelu(self.intermediate(h))  # erf GELU, as HF "gelu"
        return self.out_norm(self.output(inter) + h)


class BertModel(nn.Module):
    def __init__(self, c, with_pooler=False):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c.num_hidden_layers))
        self.pooler = nn.Linear(c.hidden_size, c.hidden_size) if with_pooler else None

    def encode(self, input_ids, attention_mask, token_type_ids):
        h = self.embeddings(input_ids, token_type_ids)
        # HF: (1 - mask) * finfo(float32).min, broadcast over heads and query positions.
        additive = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        for layer in self.layers:
            h = layer(h, additive)
        return h

    def pooled(self, h):
        return torch.tanh(self.pooler(h[:, 0]))


class BertFeatureExtraction(nn.Module):
    """Optimum's feature-extraction export: last_hidden_state (+ pooler_output for BertModel)."""

    def __init__(self, c, with_token_type_ids=True, with_pooler_output=False):
        super().__init__()
        self.bert = BertModel(c, with_pooler=with_pooler_output)
        self.with_token_type_ids = with_token_type_ids

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        h = self.bert.encode(input_ids, attention_mask, token_type_ids)
        if self.bert.pooler is not None:
            return h, self.bert.pooled(h)
        return h


class BertCrossEncoder(nn.Module):
    """BertForSequenceClassification with one label: logits [batch, 1]."""

    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, with_pooler=True)
        self.classifier = nn.Linear(c.hidden_size, 1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert.encode(input_ids, attention_mask, token_type_ids)
        return self.classifier(self.bert.pooled(h))


def randomize_bert(model, seed):
    """HF initializes with std 0.02, which makes every sentence embed to nearly the same vector.
    Larger weights keep the outputs of different texts far apart, so parity tests can tell them
    apart, while LayerNorm keeps activations bounded."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "Norm" in name or "norm" in name:
                if name.endswith("weight"):
                    p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif "embeddings" in name:
                p.copy_(torch.randn(p.shape, generator=g))
            elif name.endswith("weight"):
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[1]))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
    model.eval()
    return model


def export(model, args, path, input_names, output_names, dynamic_axes, constant_folding=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=constant_folding)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def copy_files(src_dir, dst_dir, names):
    for n in names:
        src = os.path.join(src_dir, n)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(dst_dir, n))


def bert_dummy(c, batch=2, seq=7):
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1000, c.vocab_size, (batch, seq), generator=g)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    mask[1, seq - 2:] = 0
    types = torch.zeros(batch, seq, dtype=torch.int64)
    types[:, seq // 2:] = 1
    return ids, mask, types


def sentence_transformers_files(folder, dim, pooling, normalize, max_seq_length):
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
        os.makedirs(os.path.join(folder, "2_Normalize"), exist_ok=True)
    write_json(os.path.join(folder, "modules.json"), modules)
    write_json(os.path.join(folder, "1_Pooling", "config.json"), {
        "word_embedding_dimension": dim,
        "pooling_mode_cls_token": pooling == "cls",
        "pooling_mode_mean_tokens": pooling == "mean",
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    write_json(os.path.join(folder, "sentence_bert_config.json"),
               {"max_seq_length": max_seq_length, "do_lower_case": False})


def build_bert_embedder(out, name, tok_dir, c, seed, pooling, normalize, with_token_type_ids=True,
                        with_pooler_output=False, max_seq_length=256):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    model = randomize_bert(BertFeatureExtraction(c, with_token_type_ids, with_pooler_output), seed)
    ids, mask, types = bert_dummy(c)
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_token_type_ids else [])
    args = (ids, mask, types) if with_token_type_ids else (ids, mask)
    outputs = ["last_hidden_state"] + (["pooler_output"] if with_pooler_output else [])
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names}
    axes["last_hidden_state"] = {0: "batch_size", 1: "sequence_length"}
    if with_pooler_output:
        axes["pooler_output"] = {0: "batch_size"}
    export(model, args, os.path.join(folder, "onnx", "model.onnx"), names, outputs, axes)
    write_json(os.path.join(folder, "config.json"), c.to_hf(["BertModel"]))
    copy_files(tok_dir, folder, BERT_TOKENIZER_FILES)
    sentence_transformers_files(folder, c.hidden_size, pooling, normalize, max_seq_length)
    return folder


def build_cross_encoder(out, tok_dir, c, seed):
    folder = os.path.join(out, "cross-encoder")
    os.makedirs(folder, exist_ok=True)
    model = randomize_bert(BertCrossEncoder(c), seed)
    ids, mask, types = bert_dummy(c)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names}
    axes["logits"] = {0: "batch_size"}
    export(model, (ids, mask, types), os.path.join(folder, "onnx", "model.onnx"), names, ["logits"], axes)
    write_json(os.path.join(folder, "config.json"), c.to_hf(
        ["BertForSequenceClassification"], {"id2label": {"0": "LABEL_0"}, "label2id": {"LABEL_0": 0}}))
    copy_files(tok_dir, folder, BERT_TOKENIZER_FILES)
    return folder


# ----------------------------------------------------------------------------------------------
# Tiny graphs for exact checks and error paths
# ----------------------------------------------------------------------------------------------
class PoolingProbe(nn.Module):
    """last_hidden_state[b, s] = table[input_ids[b, s]] with table[i] = [i, i % 10, 1, (i * 37) % 101]:
    a test can compute the exact pooled vector from the token ids alone."""

    def __init__(self, vocab):
        super().__init__()
        i = torch.arange(vocab, dtype=torch.float32)
        table = torch.stack([i, torch.remainder(i, 10), torch.ones(vocab), torch.remainder(i * 37, 101)], dim=1)
        self.table = nn.Embedding.from_pretrained(table, freeze=True)

    def forward(self, input_ids, attention_mask, token_type_ids):
        # attention_mask and token_type_ids take part so the exported graph keeps them as inputs;
        # they add exact zeros.
        zero = (attention_mask * 0 + token_type_ids * 0).to(torch.float32)[:, :, None]
        return self.table(input_ids) + zero


class WrongInputs(nn.Module):
    """Looks like an embedder but takes int32 `tokens` and no attention mask."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30522, 8)

    def forward(self, tokens):
        return self.emb(tokens.to(torch.int64))


def build_probe_models(out, tok_dir):
    folder = os.path.join(out, "pooling-probe")
    os.makedirs(folder, exist_ok=True)
    c = BertConfig(hidden_size=4, num_hidden_layers=0, num_attention_heads=1, intermediate_size=4)
    ids, mask, types = bert_dummy(c)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names}
    axes["last_hidden_state"] = {0: "batch_size", 1: "sequence_length"}
    export(PoolingProbe(c.vocab_size).eval(), (ids, mask, types), os.path.join(folder, "onnx", "model.onnx"),
           names, ["last_hidden_state"], axes)
    write_json(os.path.join(folder, "config.json"), c.to_hf(["BertModel"]))
    copy_files(tok_dir, folder, BERT_TOKENIZER_FILES)
    sentence_transformers_files(folder, 4, "mean", False, 256)

    folder = os.path.join(out, "bad-inputs")
    os.makedirs(folder, exist_ok=True)
    export(WrongInputs().eval(), (ids.to(torch.int32),), os.path.join(folder, "onnx", "model.onnx"), ["tokens"],
           ["last_hidden_state"], {"tokens": {0: "batch_size", 1: "sequence_length"},
                                   "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})
    write_json(os.path.join(folder, "config.json"), c.to_hf(["BertModel"]))
    copy_files(tok_dir, folder, BERT_TOKENIZER_FILES)


# ----------------------------------------------------------------------------------------------
# LLaMA-style decoder with KV cache, in Optimum's text-generation-with-past layout
# ----------------------------------------------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class LlamaLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv, self.d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        hs = c["hidden_size"]
        self.input_layernorm = RMSNorm(hs, c["rms_norm_eps"])
        self.q_proj = nn.Linear(hs, self.h * self.d, bias=False)
        self.k_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(hs, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, hs, bias=False)
        self.post_attention_layernorm = RMSNorm(hs, c["rms_norm_eps"])
        self.gate_proj = nn.Linear(hs, c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(hs, c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], hs, bias=False)

    def forward(self, x, cos, sin, allowed, past_k, past_v):
        b, s, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, s, self.h, self.d).transpose(1, 2)
        k = self.k_proj(y).view(b, s, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(y).view(b, s, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        # Grouped-query attention: each kv head serves h / kv query heads (HF repeat_kv).
        rep = self.h // self.kv
        t = k.shape[2]
        kr = k[:, :, None].expand(b, self.kv, rep, t, self.d).reshape(b, self.h, t, self.d)
        vr = v[:, :, None].expand(b, self.kv, rep, t, self.d).reshape(b, self.h, t, self.d)
        scores = torch.matmul(q, kr.transpose(-1, -2)) / math.sqrt(self.d)
        scores = torch.where(allowed, scores, torch.tensor(torch.finfo(torch.float32).min))
        ctx = torch.matmul(torch.softmax(scores, dim=-1), vr).transpose(1, 2).reshape(b, s, self.h * self.d)
        x = x + self.o_proj(ctx)
        y = self.post_attention_layernorm(x)
        x = x + self.down_proj(nn.functional.silu(self.gate_proj(y)) * self.up_proj(y))
        return x, present


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(LlamaLayer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        d = c["head_dim"]
        self.register_buffer("inv_freq", 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d)))

    def forward(self, input_ids, attention_mask, position_ids, *past):
        x = self.embed_tokens(input_ids)
        freqs = position_ids[:, :, None].to(torch.float32) * self.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [b, 1, s, d]
        # Query i (absolute position past + i) sees key j when j <= past + i and the mask keeps j.
        # Positions come from cumsum over the inputs so every length stays dynamic in the graph.
        k_pos = torch.cumsum(torch.ones_like(attention_mask[0]), 0) - 1  # [total]
        q_local = torch.cumsum(torch.ones_like(input_ids[0]), 0) - 1  # [s]
        q_pos = q_local + (torch.ones_like(attention_mask[0]).sum() - torch.ones_like(input_ids[0]).sum())
        causal = k_pos[None, :] <= q_pos[:, None]  # [s, total]
        allowed = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        presents = []
        for i, layer in enumerate(self.layers):
            x, present = layer(x, cos, sin, allowed, past[2 * i], past[2 * i + 1])
            presents.extend(present)
        # Tied input/output embeddings (as Qwen3 small models): one weight in the file.
        logits = torch.matmul(self.norm(x), self.embed_tokens.weight.t())
        return (logits, *presents)


def llama_config(vocab_size, hidden=32, layers=2, heads=4, kv_heads=2, intermediate=64):
    return {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 151643,
        "eos_token_id": 151645,
        "head_dim": hidden // heads,
        "hidden_act": "silu",
        "hidden_size": hidden,
        "initializer_range": 0.02,
        "intermediate_size": intermediate,
        "max_position_embeddings": 4096,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "num_key_value_heads": kv_heads,
        "pad_token_id": 151643,
        "rms_norm_eps": 1e-6,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "transformers_version": "4.46.0",
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def empty_past(c, batch):
    return [torch.zeros(batch, c["num_key_value_heads"], 0, c["head_dim"]) for _ in range(2 * c["num_hidden_layers"])]


def check_llama_cache(model, c):
    """Prefill everything at once vs prefill a prefix then decode token by token: same logits."""
    g = torch.Generator().manual_seed(11)
    ids = torch.randint(0, c["vocab_size"], (2, 9), generator=g)
    mask = torch.ones(2, 9, dtype=torch.int64)
    mask[1, :2] = 0  # left padding on the second row
    pos = torch.clamp(torch.cumsum(mask, 1) - 1, min=0)
    with torch.no_grad():
        full = model(ids, mask, pos, *empty_past(c, 2))[0]
        out = model(ids[:, :5], mask[:, :5], pos[:, :5], *empty_past(c, 2))
        steps = [out[0]]
        past = list(out[1:])
        for t in range(5, 9):
            out = model(ids[:, t:t + 1], mask[:, :t + 1], pos[:, t:t + 1], *past)
            steps.append(out[0])
            past = list(out[1:])
    cached = torch.cat(steps, dim=1)
    # Padded positions attend to nothing real and their logits are never used: compare the rest.
    keep = mask.bool()
    gap = (full[keep] - cached[keep]).abs().max().item()
    if gap > 1e-4:
        sys.exit(f"make_test_models: llama-tiny cache and no-cache logits differ by {gap}")
    return gap


def build_llama(out, qwen_dirs, name="llama-tiny", **shape):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    c = llama_config(151936, **shape)
    torch.manual_seed(5)
    model = LlamaForCausalLM(c)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(p.shape[-1]))
    model.eval()
    gap = check_llama_cache(model, c)

    batch, seq, past_len = 2, 3, 4
    ids = torch.randint(0, c["vocab_size"], (batch, seq), generator=g)
    mask = torch.ones(batch, past_len + seq, dtype=torch.int64)
    pos = torch.arange(past_len, past_len + seq)[None].expand(batch, seq).contiguous()
    past = [torch.randn(batch, c["num_key_value_heads"], past_len, c["head_dim"], generator=g)
            for _ in range(2 * c["num_hidden_layers"])]
    past_names, present_names = [], []
    for i in range(c["num_hidden_layers"]):
        past_names += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_names += [f"present.{i}.key", f"present.{i}.value"]
    names = ["input_ids", "attention_mask", "position_ids"] + past_names
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for n in past_names:
        axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in present_names:
        axes[n] = {0: "batch_size", 2: "total_sequence_length"}
    # No constant folding: it would store the transposed tied embedding as a second 19 MB weight.
    export(model, (ids, mask, pos, *past), os.path.join(folder, "onnx", "model.onnx"), names,
           ["logits"] + present_names, axes, constant_folding=False)
    write_json(os.path.join(folder, "config.json"), c)
    write_json(os.path.join(folder, "generation_config.json"), {
        "bos_token_id": 151643, "eos_token_id": [151645, 151643], "pad_token_id": 151643,
        "do_sample": False, "max_new_tokens": 32, "transformers_version": "4.46.0"})
    for d in qwen_dirs:
        copy_files(d, folder, ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
                               "special_tokens_map.json"])
    return gap


def build_llama_merged(out, src_name="llama-tiny", name="llama-tiny-merged"):
    """Optimum's merged export of the same decoder: one graph whose If on `use_cache_branch` runs the
    with-past branch or a no-past branch. The no-past branch really ignores the past (it slices it
    to length 0), so feeding the wrong branch flag while decoding changes the output."""
    import onnx
    from onnx import TensorProto, helper

    src = os.path.join(out, src_name)
    folder = os.path.join(out, name)
    shutil.copytree(src, folder, dirs_exist_ok=True)
    m = onnx.load(os.path.join(src, "onnx", "model.onnx"))
    g = m.graph
    outer = {i.name for i in g.input} | {i.name for i in g.initializer}
    past_names = [i.name for i in g.input if i.name.startswith("past_key_values.")]

    def branch(tag, drop_past):
        renamed = {}
        nodes = []
        if drop_past:
            zero = helper.make_tensor(f"{tag}_zero", TensorProto.INT64, [1], [0])
            axis = helper.make_tensor(f"{tag}_axis", TensorProto.INT64, [1], [2])
            nodes.append(helper.make_node("Constant", [], [f"{tag}_zero"], value=zero))
            nodes.append(helper.make_node("Constant", [], [f"{tag}_axis"], value=axis))
            for p in past_names:
                renamed[p] = f"{tag}_{p}"
                nodes.append(helper.make_node("Slice", [p, f"{tag}_zero", f"{tag}_zero", f"{tag}_axis"], [renamed[p]]))
        for n in g.node:
            c = onnx.NodeProto()
            c.CopyFrom(n)
            c.name = f"{tag}_{n.name}"
            del c.input[:]
            c.input.extend(renamed.get(x, x if (x in outer or x == "") else f"{tag}_{x}") for x in n.input)
            del c.output[:]
            c.output.extend(f"{tag}_{x}" if x else x for x in n.output)
            nodes.append(c)
        outs = []
        for o in g.output:
            t = o.type.tensor_type
            outs.append(helper.make_tensor_value_info(f"{tag}_{o.name}", t.elem_type, None))
        return helper.make_graph(nodes, tag, [], outs)

    if_node = helper.make_node("If", ["use_cache_branch"], [o.name for o in g.output], name="optimum::if",
                               then_branch=branch("with_past", False), else_branch=branch("no_past", True))
    inputs = list(g.input) + [helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])]
    graph = helper.make_graph([if_node], "merged_decoder", inputs, list(g.output), initializer=list(g.initializer))
    merged = helper.make_model(graph, opset_imports=m.opset_import)
    merged.ir_version = m.ir_version
    onnx.checker.check_model(merged)
    onnx.save(merged, os.path.join(folder, "onnx", "model.onnx"))


def build_llama_external(out, src_name="llama-tiny", name="llama-tiny-external"):
    """The same decoder as exports of big models store it: the output projection as its own
    [hidden, vocab] weight (constant folding of the tied embedding's transpose) and every weight in
    an external data file beside the graph."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    src = os.path.join(out, src_name)
    folder = os.path.join(out, name)
    shutil.copytree(src, folder, dirs_exist_ok=True)
    m = onnx.load(os.path.join(src, "onnx", "model.onnx"))
    g = m.graph
    logits = next(n for n in g.node if "logits" in n.output)
    transpose = next(n for n in g.node if logits.input[1] in n.output)
    embed = next(i for i in g.initializer if i.name == transpose.input[0])
    weight = numpy_helper.to_array(embed).T.copy()
    g.node.remove(transpose)
    g.initializer.append(numpy_helper.from_array(np.ascontiguousarray(weight), logits.input[1]))
    onnx.checker.check_model(m)
    path = os.path.join(folder, "onnx", "model.onnx")
    onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx_data",
              size_threshold=1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--minilm-tokenizer", required=True, help="folder with the MiniLM tokenizer.json")
    ap.add_argument("--qwen-tokenizer", action="append", default=[],
                    help="folders to copy the Qwen3 tokenizer files from (later ones win)")
    ap.add_argument("--minilm-l6", action="store_true", help="only the benchmark-sized MiniLM-L6 embedder")
    ap.add_argument("--llama-bench", action="store_true",
                    help="only the benchmark-sized decoder llama-bench (hidden 512, 8 layers, GQA 8/2 heads)")
    a = ap.parse_args()
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    os.makedirs(a.out, exist_ok=True)
    if a.llama_bench:
        build_llama(a.out, a.qwen_tokenizer, name="llama-bench", hidden=512, layers=8, heads=8, kv_heads=2,
                    intermediate=1408)
        print(f"make_test_models: wrote {a.out}/llama-bench")
        return
    if a.minilm_l6:
        c = BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)
        build_bert_embedder(a.out, "minilm-l6", a.minilm_tokenizer, c, seed=6, pooling="mean", normalize=True)
        print(f"make_test_models: wrote {a.out}/minilm-l6")
        return
    c = BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    build_bert_embedder(a.out, "bert-mean", a.minilm_tokenizer, c, seed=1, pooling="mean", normalize=True)
    c_cls = BertConfig(hidden_size=96, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                       max_position_embeddings=64)
    build_bert_embedder(a.out, "bert-cls", a.minilm_tokenizer, c_cls, seed=2, pooling="cls", normalize=False,
                        with_token_type_ids=False, with_pooler_output=True, max_seq_length=512)
    build_cross_encoder(a.out, a.minilm_tokenizer, c, seed=3)
    build_probe_models(a.out, a.minilm_tokenizer)
    gap = build_llama(a.out, a.qwen_tokenizer)
    build_llama_merged(a.out)
    build_llama_external(a.out)
    print(f"make_test_models: wrote {a.out} (llama-tiny cache vs no-cache max logit gap {gap:.2e})")


if __name__ == "__main__":
    main()
