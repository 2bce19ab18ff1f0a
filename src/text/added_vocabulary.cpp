#include "text/added_vocabulary.h"

#include <algorithm>

#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::text {

void TokenMatcher::clear() {
  nodes_.assign(1, Node{});
  std::fill(std::begin(first_byte_), std::end(first_byte_), false);
}

uint32_t TokenMatcher::child(uint32_t node, unsigned char b) const {
  const auto& next = nodes_[node].next;
  auto it = std::lower_bound(next.begin(), next.end(), b,
                             [](const std::pair<unsigned char, uint32_t>& e, unsigned char v) { return e.first < v; });
  if (it == next.end() || it->first != b) return 0;
  return it->second;
}

void TokenMatcher::add(std::string_view pattern, int32_t id) {
  if (pattern.empty()) return;
  first_byte_[static_cast<unsigned char>(pattern[0])] = true;
  uint32_t node = 0;
  for (char ch : pattern) {
    auto b = static_cast<unsigned char>(ch);
    uint32_t c = child(node, b);
    if (c == 0) {
      c = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back(Node{});
      auto& next = nodes_[node].next;
      auto it = std::lower_bound(next.begin(), next.end(), b,
                                 [](const std::pair<unsigned char, uint32_t>& e, unsigned char v) { return e.first < v; });
      next.insert(it, {b, c});
    }
    node = c;
  }
  if (nodes_[node].id < 0) nodes_[node].id = id;
}

void TokenMatcher::find_all(std::string_view text, std::vector<Match>& out) const {
  if (empty()) return;
  size_t i = 0, n = text.size();
  while (i < n) {
    if (!first_byte_[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    uint32_t node = 0;
    int32_t best_id = -1;
    size_t best_end = 0;
    for (size_t j = i; j < n; ++j) {
      node = child(node, static_cast<unsigned char>(text[j]));
      if (node == 0) break;
      if (nodes_[node].id >= 0) {
        best_id = nodes_[node].id;
        best_end = j + 1;
      }
    }
    if (best_id >= 0) {
      out.push_back({i, best_end, best_id});
      i = best_end;
    } else {
      ++i;
    }
  }
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view token, const Model& model) const {
  auto it = map_.find(token);
  if (it != map_.end()) return it->second;
  return model.token_to_id(token);
}

std::optional<std::string> AddedVocabulary::id_to_token(int32_t id, const Model& model) const {
  if (const std::string* c = content_of(id)) return *c;
  return model.id_to_token(id);
}

const std::string* AddedVocabulary::content_of(int32_t id) const {
  auto it = id_content_.find(id);
  return it == id_content_.end() ? nullptr : &it->second;
}

const AddedToken* AddedVocabulary::added_token(int32_t id) const {
  auto it = map_r_.find(id);
  return it == map_r_.end() ? nullptr : &it->second;
}

size_t AddedVocabulary::count_beyond(const Model& model) const {
  size_t n = 0;
  for (const auto& [id, tok] : map_r_)
    if (!model.id_to_token(id)) ++n;
  return n;
}

void AddedVocabulary::add_tokens(const std::vector<AddedToken>& tokens, const Model& model,
                                 const Normalizer* normalizer) {
  for (const AddedToken& t : tokens) {
    if (t.special && !t.content.empty() && !special_set_.count(t.content)) {
      special_tokens_.push_back(t);
      special_set_.insert(t.content);
    }
  }
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    bool known = false;
    for (const auto& [id, existing] : map_r_) {
      if (existing.content == t.content) {
        known = true;
        break;
      }
    }
    if (known) continue;
    int32_t new_id;
    if (auto id = token_to_id(t.content, model)) {
      new_id = *id;
    } else {
      auto vocab = static_cast<int64_t>(model.vocab_size());
      if (map_.empty()) {
        new_id = static_cast<int32_t>(vocab);
      } else {
        int64_t max = INT32_MIN;
        for (const auto& [c, id] : map_) max = std::max<int64_t>(max, id);
        new_id = static_cast<int32_t>((max >= vocab || vocab == 0) ? max + 1 : vocab);
      }
    }
    map_[t.content] = new_id;
    map_r_[new_id] = t;
    std::string content = t.content;
    if (t.normalized && normalizer) {
      NormalizedString n(t.content);
      normalizer->normalize(n);
      content = n.get();
    }
    id_content_[new_id] = std::move(content);
    if (!special_set_.count(t.content)) added_tokens_.push_back(t);
  }
  refresh(model, normalizer);
}

void AddedVocabulary::refresh(const Model& model, const Normalizer* normalizer) {
  raw_matcher_.clear();
  normalized_matcher_.clear();
  auto add = [&](const AddedToken& t) {
    auto id = token_to_id(t.content, model);
    if (!id) return;
    if (!t.normalized) {
      raw_matcher_.add(t.content, *id);
    } else {
      NormalizedString n(t.content);
      if (normalizer) normalizer->normalize(n);
      normalized_matcher_.add(n.get(), *id);
    }
  };
  for (const AddedToken& t : special_tokens_) add(t);
  for (const AddedToken& t : added_tokens_) add(t);
}

namespace {
bool ends_with_word(std::string_view s) {
  if (s.empty()) return false;
  return unicode::is_regex_word(decode_utf8_at(s, prev_char_start(s, s.size())));
}
bool starts_with_word(std::string_view s) {
  if (s.empty()) return false;
  return unicode::is_regex_word(decode_utf8_at(s, 0));
}
// Start of the trailing whitespace run of s.
size_t space_leftmost_at_end(std::string_view s) {
  size_t e = s.size();
  while (e > 0) {
    size_t p = prev_char_start(s, e);
    if (!unicode::is_whitespace(decode_utf8_at(s, p))) break;
    e = p;
  }
  return e;
}
// End of the leading whitespace run of s.
size_t space_rightmost_at_start(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (!unicode::is_whitespace(decode_utf8(s.data(), j))) break;
    i = j;
  }
  return i;
}
}  // namespace

void AddedVocabulary::split_with(const TokenMatcher& m, NormalizedString&& s, std::vector<PreToken>& out) const {
  const std::string& sentence = s.get();
  if (m.empty() || sentence.empty()) {
    out.push_back({std::move(s), std::nullopt});
    return;
  }
  thread_local std::vector<TokenMatcher::Match> matches;
  matches.clear();
  m.find_all(sentence, matches);
  if (matches.empty()) {
    out.push_back({std::move(s), std::nullopt});
    return;
  }
  struct Piece {
    size_t start, end;
    int32_t id;  // -1: not an added token
  };
  std::vector<Piece> pieces;
  size_t start_offset = 0;
  for (const auto& mt : matches) {
    size_t start = mt.start, stop = mt.end;
    const AddedToken* tok = added_token(mt.id);
    if (!tok) continue;
    if (tok->single_word) {
      bool start_space = start == 0 || !ends_with_word(std::string_view(sentence).substr(0, start));
      bool stop_space = stop == sentence.size() || !starts_with_word(std::string_view(sentence).substr(stop));
      if (!stop_space || !start_space) continue;
    }
    if (tok->lstrip) {
      size_t newstart = space_leftmost_at_end(std::string_view(sentence).substr(0, start));
      start = std::max(newstart, start_offset);
    }
    if (tok->rstrip) stop += space_rightmost_at_start(std::string_view(sentence).substr(stop));
    if (start > start_offset) pieces.push_back({start_offset, start, -1});
    pieces.push_back({start, stop, mt.id});
    start_offset = stop;
  }
  if (start_offset != sentence.size()) pieces.push_back({start_offset, sentence.size(), -1});
  for (const Piece& p : pieces) {
    auto piece = s.slice(p.start, p.end);
    if (!piece) continue;
    if (p.id >= 0) {
      std::vector<Token> toks{Token{p.id, piece->get(), 0, piece->get().size()}};
      out.push_back({std::move(*piece), std::move(toks)});
    } else {
      out.push_back({std::move(*piece), std::nullopt});
    }
  }
}

PreTokenizedString AddedVocabulary::extract_and_normalize(const Normalizer* normalizer, std::string_view text) const {
  PreTokenizedString pts(text);
  pts.split([&](size_t, NormalizedString&& s, std::vector<PreToken>& out) {
    split_with(raw_matcher_, std::move(s), out);
  });
  pts.split([&](size_t, NormalizedString&& s, std::vector<PreToken>& out) {
    if (normalizer) normalizer->normalize(s);
    split_with(normalized_matcher_, std::move(s), out);
  });
  return pts;
}

}  // namespace ragrt::text
