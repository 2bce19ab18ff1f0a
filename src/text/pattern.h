#pragma once
// tokenizers' `Pattern`: finds the matches of a char predicate or a literal string, returning
// matches and the gaps between them so that they cover the whole string.
#include <string_view>
#include <vector>

#include "text/normalized_string.h"
#include "text/utf8.h"

namespace ragrt::text {

// Every char for which pred(c) holds is a match of its own.
template <typename Pred>
void find_char_matches(std::string_view s, Pred&& pred, std::vector<Split>& out) {
  out.clear();
  if (s.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  size_t last_offset = 0, i = 0, n = s.size();
  while (i < n) {
    size_t b = i;
    char32_t c = decode_utf8(s.data(), i);
    if (pred(c)) {
      if (last_offset < b) out.push_back({last_offset, b, false});
      out.push_back({b, i, true});
      last_offset = i;
    }
  }
  if (n > last_offset) out.push_back({last_offset, n, false});
}

// Non-overlapping leftmost occurrences of a non-empty literal.
void find_literal_matches(std::string_view s, std::string_view literal, std::vector<Split>& out);

// Flips matches and gaps (tokenizers' Invert).
inline void invert_matches(std::vector<Split>& m) {
  for (Split& s : m) s.is_match = !s.is_match;
}

}  // namespace ragrt::text
