#pragma once
// The `onnx` embedder. Sentence embeddings from a BERT-style encoder folder (sentence-transformers / transformers.js
// layout): tokenize, run in length-sorted padded batches, pool with the attention mask and
// L2-normalize, as sentence-transformers and transformers.js' feature-extraction pipeline do.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/embedder.h"
#include "ragrt/encoder_options.h"
#include "ragrt/runtime/session.h"
#include "ragrt/tokenizer.h"

namespace ragrt {

enum class Pooling {
  kMean,       // average of the token vectors the attention mask keeps
  kCls,        // the first token's vector
  kMax,        // element-wise maximum over kept tokens
  kLastToken,  // the last kept token's vector (decoder-style embedders)
};

std::string_view to_string(Pooling p);
Pooling parse_pooling(std::string_view name);  // "mean", "cls", "max", "last_token"

struct EmbedderOptions : EncoderOptions {
  // Default: what 1_Pooling/config.json says; mean when the folder has none.
  std::optional<Pooling> pooling;
  // Default: true when modules.json lists a Normalize module or the folder has no modules.json
  // (plain transformers.js folders are normalized by convention); false when modules.json exists
  // without one.
  std::optional<bool> normalize;
};

class OnnxEmbedder final : public Embedder {
 public:
  // Reads config.json, the tokenizer, the ONNX model and the pooling configuration. The model
  // must take int64 input_ids and attention_mask [batch, seq] (token_type_ids is fed when present)
  // and give a float [batch, seq, hidden] output named last_hidden_state or token_embeddings.
  // Throws ragrt::Error naming the file and what is wrong.
  static std::unique_ptr<OnnxEmbedder> load(const std::filesystem::path& folder, const EmbedderOptions& options = {});
  ~OnnxEmbedder() override;

  // One vector per text, in order. Thread-safe; with dynamic batching on, concurrent calls share
  // ONNX Runtime runs. Throws ragrt::Error (kInvalidArgument) on invalid UTF-8.
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) const override;
  using Embedder::embed;

  size_t dimension() const override;
  std::string description() const override;
  Pooling pooling() const;
  bool normalizes() const;
  size_t max_length() const;  // tokens, special tokens included
  const runtime::Session& session() const;
  const Tokenizer& tokenizer() const;

 private:
  struct Impl;
  explicit OnnxEmbedder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragrt
