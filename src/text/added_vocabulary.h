#pragma once
// Tokens added on top of the model's vocabulary (tokenizers' AddedVocabulary): special and
// ordinary added tokens are cut out of the text before the normalizer / pre-tokenizer / model
// see it; non-normalized ones are matched on the raw text, normalized ones on normalized text.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "text/model.h"
#include "text/normalizer.h"
#include "text/pre_tokenized_string.h"
#include "text/vocab_map.h"

namespace ragrt::text {

struct AddedToken {
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

// Leftmost-longest multi-pattern search (aho-corasick's MatchKind::LeftmostLongest).
class TokenMatcher {
 public:
  void clear();
  // The first pattern added wins when two are equal.
  void add(std::string_view pattern, int32_t id);
  struct Match {
    size_t start, end;
    int32_t id;
  };
  // Appends the non-overlapping leftmost-longest matches in `text`.
  void find_all(std::string_view text, std::vector<Match>& out) const;
  bool empty() const { return nodes_.size() <= 1; }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, uint32_t>> next;  // sorted by byte
    int32_t id = -1;
  };
  uint32_t child(uint32_t node, unsigned char b) const;
  std::vector<Node> nodes_{Node{}};
  bool first_byte_[256] = {};
};

class AddedVocabulary {
 public:
  // tokenizers' add_tokens: ids come from the model vocabulary when the content is in it, else
  // the next id after the model's vocabulary and the tokens added so far.
  void add_tokens(const std::vector<AddedToken>& tokens, const Model& model, const Normalizer* normalizer);

  std::optional<int32_t> token_to_id(std::string_view token, const Model& model) const;
  std::optional<std::string> id_to_token(int32_t id, const Model& model) const;
  const AddedToken* added_token(int32_t id) const;
  // The content decode() and id_to_token() use for an added token id, or nullptr.
  const std::string* content_of(int32_t id) const;
  bool is_special_token(std::string_view content) const { return special_set_.count(std::string(content)) > 0; }
  // Number of added tokens whose id is not already in the model's vocabulary.
  size_t count_beyond(const Model& model) const;

  // Splits out added tokens and normalizes the rest (tokenizers' extract_and_normalize).
  PreTokenizedString extract_and_normalize(const Normalizer* normalizer, std::string_view text) const;

 private:
  void refresh(const Model& model, const Normalizer* normalizer);
  void split_with(const TokenMatcher& m, NormalizedString&& s, std::vector<PreToken>& out) const;

  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> map_;  // content -> id
  std::unordered_map<int32_t, AddedToken> map_r_;                              // id -> token
  // id -> what id_to_token / decode report: tokenizers keeps normalized tokens' content in its
  // normalized form there.
  std::unordered_map<int32_t, std::string> id_content_;
  std::vector<AddedToken> special_tokens_;
  std::unordered_set<std::string> special_set_;
  std::vector<AddedToken> added_tokens_;
  TokenMatcher raw_matcher_;
  TokenMatcher normalized_matcher_;
};

}  // namespace ragrt::text
