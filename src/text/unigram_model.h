#pragma once
// Unigram language-model tokenizer, mirroring tokenizers/src/models/unigram in Hugging Face's Rust
// crate: the segmentation of a piece maximising the sum of piece log-probabilities (Viterbi).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/model.h"
#include "text/word_cache.h"

namespace ragrt::text {

class UnigramModel final : public Model {
 public:
  // `vocab` is (piece, log-probability) in id order. Throws ragrt::Error (naming `where`) when
  // unk_id is outside the vocabulary.
  UnigramModel(std::vector<std::pair<std::string, double>> vocab, std::optional<size_t> unk_id,
               bool byte_fallback, const std::string& where);
  UnigramModel(const UnigramModel&) = delete;
  UnigramModel& operator=(const UnigramModel&) = delete;

  std::vector<Token> tokenize(std::string_view piece) const override;
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  // Byte trie over the vocabulary, flattened: each node's children are a sorted run of `edges_`.
  struct Edge {
    unsigned char byte;
    int32_t child;
  };
  struct Node {
    int32_t id = -1;  // vocabulary id when a piece ends here
    uint32_t first_edge = 0;
    uint32_t edge_count = 0;
  };
  void build_trie();
  int32_t child_of(int32_t node, unsigned char byte) const;

  // (byte length, vocabulary id or -1 for an unknown run) for each piece of the best path.
  std::vector<std::pair<size_t, int32_t>> best_path(std::string_view piece) const;
  std::vector<Token> compute_tokens(std::string_view piece) const;

  std::vector<std::pair<std::string, double>> vocab_;
  std::optional<size_t> unk_id_;
  bool byte_fallback_;
  std::string where_;
  double min_score_;
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::array<int32_t, 256> root_children_;
  mutable WordCache<std::vector<Token>> cache_{10000};  // as many words as Hugging Face keeps
};

}  // namespace ragrt::text
