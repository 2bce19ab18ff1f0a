#pragma once
// The `onnx` reranker. Cross-encoder relevance scores for (query, passage) pairs: each pair is encoded as one input
// ("[CLS] query [SEP] passage [SEP]" with token type ids 0/1 for BERT) and the model's logits
// [batch, num_labels] give the score, as sentence-transformers' CrossEncoder computes it.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ragrt/encoder_options.h"
#include "ragrt/reranker.h"
#include "ragrt/runtime/session.h"
#include "ragrt/tokenizer.h"

namespace ragrt {

struct RerankerOptions : EncoderOptions {
  // Scores are raw logits by default; sigmoid maps them into (0, 1).
  bool sigmoid = false;
  // Which logit is the score. Default: 0 for single-label models; models with several labels must
  // say which one (e.g. 1 for "relevant" in two-label exports).
  std::optional<size_t> label;
};

class OnnxReranker final : public Reranker {
 public:
  // The model must take int64 input_ids and attention_mask (token_type_ids when it has them) and
  // give float logits [batch, num_labels]. Throws ragrt::Error naming the file and the mismatch.
  static std::unique_ptr<OnnxReranker> load(const std::filesystem::path& folder, const RerankerOptions& options = {});
  ~OnnxReranker() override;

  // Scores of `query` against each passage, in passage order. Thread-safe.
  std::vector<float> score(std::string_view query, const std::vector<std::string>& passages) const override;
  std::vector<float> score_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) const;

  std::string description() const override;
  size_t max_length() const;  // tokens of query and passage together, special tokens included
  const runtime::Session& session() const;
  const Tokenizer& tokenizer() const;

 private:
  struct Impl;
  explicit OnnxReranker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragrt
