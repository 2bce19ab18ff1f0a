#pragma once
// A decoder's vocabulary projection (final hidden state -> one logit per token), run by ragrt
// instead of inside the ONNX graph (models/lm_head_split.h takes it out of the graph).
//
// Why: a decode step reads every weight of the model once, and with a 150k-token vocabulary the
// projection is a large share of them (311 of the 400 MB per token of bench/run generate's model;
// 622 MB of Qwen3-0.6B's 2.4 GB in float32). Greedy decoding needs only the largest logit. An
// int8 copy of the weights (a quarter of the bytes, one scale per row) scores every token, and a
// bound on each row's error, derived from its quantization error and float rounding, rules out
// all but a few tokens; those few are computed from the float weights. The answer is therefore
// the argmax of the float logits, not an approximation of it: every token that could beat the
// winner was computed exactly. Sampling needs every logit and computes them from the float
// weights. Either way only the positions asked for are projected (the graph projects every
// prompt position, though only the last is read).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ragrt::models {

// Hugging Face's repetition penalty on one logit.
inline float penalized_logit(float logit, float penalty) { return logit < 0 ? logit * penalty : logit / penalty; }

// The penalty on a row of logits, once per id of `distinct` (ids outside the row are ignored).
void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> distinct, float penalty);

// The first index of the largest value, as torch.argmax.
int32_t first_argmax(std::span<const float> values);

struct ArgmaxQuery {
  const float* hidden = nullptr;       // LmHead::hidden() floats: the projection's input
  std::span<const int32_t> penalized;  // distinct token ids the repetition penalty applies to
  float penalty = 1.0f;
};

struct LmHeadStats {
  uint64_t argmax_queries = 0;
  uint64_t exact_rows = 0;  // rows computed from the float weights for those queries
};

class LmHead {
 public:
  // `weight`: vocab rows of hidden floats (row t projects onto token t). `threads`: how many
  // threads a scan uses (0 = one per hardware thread). `allow_vnni` false keeps to the float
  // screen that CPUs without AVX-512 VNNI use (for tests on CPUs with it).
  LmHead(std::vector<float> weight, size_t vocab, size_t hidden, size_t threads, bool allow_vnni = true);
  LmHead(const LmHead&) = delete;
  LmHead& operator=(const LmHead&) = delete;

  size_t vocab() const { return vocab_; }
  bool uses_vnni() const { return vnni_; }
  size_t hidden() const { return hidden_; }

  // Every logit of each hidden vector: out[i * vocab() + token]. A row's value does not depend on
  // which other vectors are in the call.
  void logits(std::span<const float* const> hidden, float* out) const;
  // For each query, the first token with the largest penalized logit: the same token as
  // first_argmax over logits() with the penalty applied, whatever the other queries.
  void argmax(std::span<const ArgmaxQuery> queries, std::span<int32_t> out) const;

  LmHeadStats stats() const { return {queries_.load(), exact_rows_.load()}; }

 private:
  std::vector<float> weight_;  // [vocab, hidden]
  // round(weight / scale), rows in blocks packed for the scan kernels (util/simd_dot.h: 16 rows
  // by groups of 4 columns with VNNI, else 8 by 8), zero-padded to whole blocks and groups.
  std::vector<int8_t> quantized_;
  std::vector<float> scale_;  // per row: max |weight| / 127
  // Per row, rounded up: |quantization error|_2 plus float rounding, and |quantized row|_2. The
  // estimate misses the float logit by at most error * |h|_2 + norm * |h's own quantization error|_2.
  std::vector<float> error_, norm_;
  std::vector<int32_t> row_sum_;  // VNNI: sum of the row's int8 values
  size_t vocab_ = 0, hidden_ = 0, threads_ = 1;
  bool vnni_ = false;
  size_t block_rows_ = 8, group_ = 8, blocks_ = 0, groups_ = 0;
  mutable std::atomic<uint64_t> queries_{0}, exact_rows_{0};
};

}  // namespace ragrt::models
