#pragma once
// Prompt lookup, the draft of speculative decoding without a draft model: answers grounded in
// retrieved passages repeat their phrases, so the tokens that followed the last occurrence of the
// sequence's newest n-gram are a cheap guess at what comes next. The engine checks the guess with
// one forward pass over all drafted tokens and keeps the prefix the model itself would have
// produced, so output does not change; only steps are saved where the guess was right.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ragrt::generate {

struct PromptLookupParams {
  size_t max_tokens = 4;  // longest draft
  size_t max_ngram = 3;   // the suffix to look for, longest tried first
  size_t min_ngram = 2;   // a single token repeats too often to predict anything
};

// Up to max_tokens ids that followed the most recent earlier occurrence of the longest suffix of
// `history` (max_ngram down to min_ngram tokens) found elsewhere in it; empty when none is.
std::vector<int32_t> prompt_lookup_draft(std::span<const int32_t> history, const PromptLookupParams& params);

}  // namespace ragrt::generate
