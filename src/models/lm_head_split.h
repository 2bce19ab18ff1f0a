#pragma once
// Takes a decoder's vocabulary projection out of its ONNX graph, for models/lm_head.h to run: the
// graph then returns the projection's input (the final hidden states) in place of `logits`.
// Recognized: `logits` = MatMul(hidden, W) with W a float32 constant [hidden, vocab], or
// MatMul(hidden, Transpose(E)) with E a float32 constant [vocab, hidden] (tied input and output
// embeddings, exported without constant folding). Weights may sit in the file or in external data.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ragrt::models {

struct SplitDecoder {
  std::string model;          // the serialized graph without its projection
  std::string hidden_output;  // the graph output that replaced `logits`: [batch, seq, hidden] float
  std::vector<float> weight;  // [vocab, hidden]
  size_t vocab = 0;
  size_t hidden = 0;
};

// nullopt, with the reason in `why`, when the graph's logits come from anything else (a fused or
// quantized projection, float16, a logit soft-cap, a merged export's If). Throws ragrt::Error
// (kInvalidModel) naming the file when it cannot be parsed or its external data cannot be read.
std::optional<SplitDecoder> split_lm_head(const std::filesystem::path& onnx, std::string& why);

}  // namespace ragrt::models
