#pragma once
// What the OnnxEmbedder and OnnxReranker share: a tokenizer configured for the model's length limit, an
// ONNX session checked for the encoder inputs, and length-sorted, padded batch runs.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ragrt/encoder_options.h"
#include "ragrt/model_folder.h"
#include "ragrt/runtime/session.h"
#include "ragrt/tokenizer.h"

namespace ragrt::models {

// One tokenized input, unpadded: ids and their token type ids.
struct EncodedInput {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
};

class EncoderSession {
 public:
  // `component` names the caller in error messages ("embedder", "reranker").
  EncoderSession(const ModelFolder& folder, const EncoderOptions& options, std::string_view component);

  const runtime::Session& session() const { return *session_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  size_t max_length() const { return max_length_; }
  bool feeds_token_type_ids() const { return has_token_type_ids_; }

  std::vector<EncodedInput> encode(const std::vector<std::string>& texts) const;
  std::vector<EncodedInput> encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) const;

  // Called once per batch with the input indices of the batch's rows, the requested output and the
  // padded sequence length. Row r's attention mask is 1 for its first inputs[rows[r]].ids.size()
  // positions and 0 after (padding is on the right).
  using BatchFn = std::function<void(std::span<const size_t> rows, const Ort::Value& output, size_t seq_len)>;
  // Sorts the inputs by length (stable) and runs them in batches of at most `batch_size` rows (and,
  // when max_batch_tokens is set, at most that many padded tokens), each padded to its own longest
  // input.
  void run_sorted(const std::vector<EncodedInput>& inputs, const char* output_name, size_t batch_size,
                  size_t max_batch_tokens, const BatchFn& fn) const;

 private:
  static std::optional<int64_t> config_pad_id(const ModelFolder& folder);

  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<runtime::Session> session_;
  size_t max_length_ = 0;
  bool has_token_type_ids_ = false;
  int64_t pad_id_ = 0;
};

}  // namespace ragrt::models
