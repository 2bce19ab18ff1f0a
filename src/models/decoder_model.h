#pragma once
// A decoder-only LLM exported the way Optimum and transformers.js export them:
//   inputs  input_ids [batch, seq], attention_mask [batch, past + seq], optional position_ids
//           [batch, seq], past_key_values.{i}.key / .value [batch, kv_heads, past, head_dim], and in
//           the merged export use_cache_branch [1] (bool)
//   outputs logits [batch, seq, vocab], present.{i}.key / .value [batch, kv_heads, past + seq, head_dim]
// Layer count, key/value heads (grouped-query attention) and head size come from the graph and are
// checked against config.json; end-of-sequence ids and default sampling from
// generation_config.json. On CPU, where the graph allows, ragrt runs the vocabulary projection
// itself (models/lm_head.h): the graph then returns hidden states and logits are computed only for
// the positions asked, greedy choices mostly from int8 weights with an exact result.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <onnxruntime_cxx_api.h>

#include "models/lm_head.h"
#include "ragrt/generator.h"
#include "ragrt/model_folder.h"
#include "ragrt/runtime/session.h"

namespace ragrt::models {

// Who runs the vocabulary projection: kAuto = ragrt, when every execution provider asked for is
// the CPU and the graph's logits come from one float32 MatMul (models/lm_head_split.h), else the
// graph; kGraph = always the graph.
enum class LmHeadMode { kAuto, kGraph };

struct DecoderShape {
  size_t layers = 0;
  size_t attention_heads = 0;
  size_t kv_heads = 0;
  size_t head_dim = 0;
  size_t vocab = 0;
  ONNXTensorElementDataType kv_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;  // float or float16
  size_t max_positions = 0;  // config.json max_position_embeddings; 0 when absent
};

// One forward pass. `past` holds 2 * layers tensors (key, value per layer), each
// [batch, kv_heads, past_len, head_dim]; they are read, never modified, so the caller may keep
// sharing them.
struct DecoderInput {
  size_t batch = 0;
  size_t seq = 0;
  size_t past_len = 0;
  std::span<const int64_t> ids;        // batch * seq
  std::span<const int64_t> mask;       // batch * (past_len + seq)
  std::span<const int64_t> positions;  // batch * seq
  std::span<const Ort::Value* const> past;
};

// A position of the output: row `b`, fed position `pos`.
struct OutputPosition {
  size_t b = 0;
  size_t pos = 0;
};

// A greedy choice to make: the token with the largest logit at `at` after Hugging Face's
// repetition penalty on `penalized` (distinct ids; empty or penalty 1 for none).
struct GreedyQuery {
  OutputPosition at;
  std::span<const int32_t> penalized;
  float penalty = 1.0f;
};

struct DecoderOutput {
  // The logits after fed position `pos` of row `b` (0 <= pos < rows), writable (samplers adjust
  // them in place). Each call may overwrite the span an earlier call returned (float16 models
  // convert into one buffer; ragrt's projection computes into one), except among positions
  // prepared together by prepare_logits.
  std::span<float> logits_at(size_t b, size_t pos);
  // The last position's logits of row `b` (exports that return only the last position have
  // rows == 1).
  std::span<float> last_logits(size_t b) { return logits_at(b, rows - 1); }
  // Computes the logits of several positions in one pass over the projection's weights, for
  // logits_at to return. Nothing to do when the graph computed the logits.
  void prepare_logits(std::span<const OutputPosition> positions);
  // The greedy token of each query (torch.argmax's first index on ties). With ragrt's projection
  // the full rows are never computed (models/lm_head.h); the answer is the same.
  std::vector<int32_t> argmax(std::span<const GreedyQuery> queries);

  size_t vocab = 0;
  size_t rows = 0;                  // positions per batch row (some exports return only the last)
  std::vector<Ort::Value> present;  // 2 * layers, [batch, kv_heads, past_len + seq, head_dim]

  // The graph's projection: its logits [batch, rows, vocab] as returned.
  Ort::Value logits{nullptr};
  bool float16 = false;        // `logits` holds float16 values
  std::vector<float> widened;  // float16 models: the last logits_at() result converted to float

  // ragrt's projection: the hidden states [batch, rows, hidden] it projects.
  const LmHead* head = nullptr;
  Ort::Value hidden{nullptr};
  std::vector<float> computed;               // logits of `computed_at`, vocab floats each
  std::vector<OutputPosition> computed_at;

 private:
  const float* hidden_at(OutputPosition p) const;
};

class DecoderModel {
 public:
  // Loads `folder`'s ONNX file (options as for the encoders: onnx/model.onnx, model.onnx or
  // `onnx_file`), config.json and generation_config.json. Throws ragrt::Error (kInvalidModel)
  // naming the file and field on anything missing or inconsistent.
  static std::unique_ptr<DecoderModel> open(const ModelFolder& folder, const runtime::SessionParams& session,
                                            const std::string& onnx_file = "", LmHeadMode lm_head = LmHeadMode::kAuto);

  const DecoderShape& shape() const { return shape_; }
  bool feeds_position_ids() const { return has_position_ids_; }
  bool merged() const { return has_use_cache_branch_; }
  const std::vector<int32_t>& eos_ids() const { return eos_ids_; }
  const SamplingParams& default_sampling() const { return defaults_; }
  const runtime::Session& session() const { return *session_; }
  // ragrt's vocabulary projection; null when the graph computes the logits.
  const LmHead* lm_head() const { return lm_head_.get(); }

  // Empty past tensors [batch, kv_heads, 0, head_dim] for a first pass.
  std::vector<Ort::Value> empty_past(size_t batch) const;
  DecoderOutput run(const DecoderInput& input) const;

 private:
  std::unique_ptr<runtime::Session> session_;
  std::unique_ptr<LmHead> lm_head_;
  DecoderShape shape_;
  bool has_position_ids_ = false;
  bool has_use_cache_branch_ = false;
  std::vector<int32_t> eos_ids_;
  SamplingParams defaults_;
  std::vector<std::string> input_names_;   // fixed order: ids, mask, [positions], past..., [use_cache_branch]
  std::vector<std::string> output_names_;  // logits (or the hidden states ragrt projects), present...
  std::vector<const char*> input_name_ptrs_, output_name_ptrs_;  // into the two above, for every run
};

}  // namespace ragrt::models
