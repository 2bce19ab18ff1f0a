#pragma once
// The tokenizer pipeline (tokenizers' TokenizerImpl): added tokens -> normalizer ->
// pre-tokenizer -> model -> truncation -> post-processor -> padding, and decoding back.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/tokenizer.h"
#include "text/added_vocabulary.h"
#include "text/decoder.h"
#include "text/model.h"
#include "text/normalizer.h"
#include "text/post_processor.h"
#include "text/pre_tokenizer.h"

namespace ragrt::text {

class TokenizerImpl final : public Tokenizer {
 public:
  // Builds the pipeline from a parsed tokenizer.json; `source` names the file in errors.
  TokenizerImpl(const nlohmann::json& config, const std::string& source);

  Encoding encode(std::string_view text, bool add_special_tokens) const override;
  Encoding encode_pair(std::string_view first, std::string_view second, bool add_special_tokens) const override;
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, bool add_special_tokens) const override;
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const override;

  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;
  size_t vocab_size() const override;

  void set_truncation(std::optional<TruncationParams> params) override;
  void set_padding(std::optional<PaddingParams> params) override { padding_ = std::move(params); }
  const std::optional<TruncationParams>& truncation() const override { return truncation_; }
  const std::optional<PaddingParams>& padding() const override { return padding_; }

 private:
  // Everything up to (not including) post-processing, for one sequence; with truncation set and
  // `may_truncate`, only the pre-tokenized pieces truncation can keep are tokenized.
  Encoding encode_sequence(std::string_view text, int32_t type_id, bool may_truncate) const;
  // tokenizers cuts the first input early unless truncation is only_second; the second input it
  // always cuts, only_first included.
  bool first_may_truncate() const {
    return !truncation_ || truncation_->strategy != TruncationStrategy::kOnlySecond;
  }
  // Truncation, post-processor and, when `pad`, padding.
  Encoding post_process(Encoding first, std::optional<Encoding> second, bool add_special_tokens, bool pad,
                        const SourceTexts& texts) const;

  void mark_unranged(Encoding& e, bool is_pair) const;

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<Decoder> decoder_;
  AddedVocabulary added_;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
};

}  // namespace ragrt::text
