#pragma once
// The text being tokenized, as a list of pieces (tokenizers' PreTokenizedString): each piece is a
// NormalizedString and, once the model (or the added vocabulary) handled it, its tokens.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ragrt/tokenizer.h"
#include "text/model.h"
#include "text/normalized_string.h"

namespace ragrt::text {

struct PreToken {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(std::string_view original) : original_(original) {
    splits_.push_back({NormalizedString(original), std::nullopt});
  }

  // Replaces every piece that has no tokens yet by what fn(index, piece, out) appends to `out`;
  // empty pieces are dropped.
  template <typename Fn>
  void split(Fn&& fn) {
    std::vector<PreToken> next;
    next.reserve(splits_.size() * 2);
    std::vector<PreToken> produced;
    for (size_t i = 0; i < splits_.size(); ++i) {
      PreToken& p = splits_[i];
      if (p.tokens) {
        next.push_back(std::move(p));
        continue;
      }
      produced.clear();
      fn(i, std::move(p.normalized), produced);
      for (PreToken& q : produced)
        if (!q.normalized.empty()) next.push_back(std::move(q));
    }
    splits_ = std::move(next);
  }

  // Convenience for splitters that only produce untokenized pieces.
  template <typename Fn>
  void split_normalized(Fn&& fn) {
    split([&](size_t i, NormalizedString&& s, std::vector<PreToken>& out) {
      thread_local std::vector<NormalizedString> pieces;
      pieces.clear();
      fn(i, std::move(s), pieces);
      for (NormalizedString& n : pieces) out.push_back({std::move(n), std::nullopt});
    });
  }

  template <typename Fn>
  void normalize(Fn&& fn) {
    for (PreToken& p : splits_)
      if (!p.tokens) fn(p.normalized);
  }

  void tokenize(const Model& model) {
    for (PreToken& p : splits_)
      if (!p.tokens) p.tokens = model.tokenize(p.normalized.get());
  }

  // Tokenizes pieces from the side truncation keeps (the start for Direction::kRight, the end for
  // kLeft) until at least `budget` tokens are collected, the piece that crosses it included, and
  // drops the pieces beyond: tokenizers does this whenever truncation is set, so a later
  // longest_first split sees these shortened lengths. It also spares tokenizing what truncation
  // would throw away.
  void tokenize_within(const Model& model, size_t budget, Direction keep);

  // Collects the tokens with byte offsets into the original text (tokenizers' into_encoding).
  void append_to(Encoding& enc, int32_t type_id) const;

  std::vector<PreToken>& splits() { return splits_; }
  const std::vector<PreToken>& splits() const { return splits_; }
  const std::string& original() const { return original_; }

 private:
  std::string original_;
  std::vector<PreToken> splits_;
};

}  // namespace ragrt::text
