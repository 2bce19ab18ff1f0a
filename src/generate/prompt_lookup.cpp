#include "generate/prompt_lookup.h"

#include <algorithm>

namespace ragrt::generate {

std::vector<int32_t> prompt_lookup_draft(std::span<const int32_t> history, const PromptLookupParams& params) {
  const size_t len = history.size();
  if (params.max_tokens == 0 || params.min_ngram == 0) return {};
  for (size_t n = std::min(params.max_ngram, len > 0 ? len - 1 : 0); n >= params.min_ngram; --n) {
    const auto suffix = history.subspan(len - n);
    // Most recent first: nearby text predicts the continuation better than the top of the prompt.
    // `start` ends before the suffix itself so at least one token follows the match.
    for (size_t start = len - n; start-- > 0;) {
      if (!std::equal(suffix.begin(), suffix.end(), history.begin() + static_cast<std::ptrdiff_t>(start))) continue;
      const size_t from = start + n, count = std::min(params.max_tokens, len - from);
      return {history.begin() + static_cast<std::ptrdiff_t>(from),
              history.begin() + static_cast<std::ptrdiff_t>(from + count)};
    }
  }
  return {};
}

}  // namespace ragrt::generate
