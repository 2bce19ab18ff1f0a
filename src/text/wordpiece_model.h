#pragma once
// WordPiece (BERT): greedy longest-match-first subwords, continuation pieces carrying a prefix.
#include "text/model.h"
#include "text/vocab_map.h"

namespace ragrt::text {

class WordPieceModel : public Model {
 public:
  WordPieceModel(VocabMap vocab, std::string unk, std::string prefix, size_t max_chars);
  std::vector<Token> tokenize(std::string_view piece) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::optional<std::string> id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  std::vector<Token> unk_for(std::string_view piece) const;
  VocabMap vocab_;
  std::string unk_;
  std::string prefix_;
  size_t max_chars_;
};

}  // namespace ragrt::text
