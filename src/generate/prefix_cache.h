#pragma once
// Key/values of recent prompts, so that a request sharing a prefix with an earlier one (the same
// system prompt, the same conversation so far) computes only what is new. Like vLLM's automatic
// prefix caching, but over whole prompts: the longest common token prefix with any cached prompt
// is reused, whatever the prompts' structure. Least recently used entries go first when the
// byte budget is exceeded. Used by the engine's thread only.
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <vector>

#include "generate/kv_cache.h"

namespace ragrt::generate {

class PrefixCache {
 public:
  // `min_tokens`: shorter common prefixes are recomputed (the copy would cost about as much).
  PrefixCache(size_t max_bytes, size_t min_tokens) : max_bytes_(max_bytes), min_tokens_(min_tokens) {}

  struct Hit {
    KvCache kv;     // one row, `tokens` tokens, no padding
    size_t tokens;  // how many of the prompt's first tokens it covers (always < prompt.size())
  };
  std::optional<Hit> lookup(std::span<const int32_t> prompt);
  // `kv` holds one row covering all of `tokens`; shared, not copied.
  void insert(std::span<const int32_t> tokens, const KvCache& kv);

  bool enabled() const { return max_bytes_ > 0; }
  size_t bytes() const { return bytes_; }
  size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<int32_t> tokens;
    KvCache kv;
    size_t bytes;
  };
  void evict();

  size_t max_bytes_, min_tokens_;
  size_t bytes_ = 0;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace ragrt::generate
