#pragma once
// WordLevel: each pre-tokenized piece is one vocabulary entry, or the unk token.
#include "text/model.h"
#include "text/vocab_map.h"

namespace ragrt::text {

class WordLevelModel : public Model {
 public:
  WordLevelModel(VocabMap vocab, std::string unk) : vocab_(std::move(vocab)), unk_(std::move(unk)) {}
  std::vector<Token> tokenize(std::string_view piece) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  VocabMap vocab_;
  std::string unk_;
};

}  // namespace ragrt::text
