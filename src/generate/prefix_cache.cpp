#include "generate/prefix_cache.h"

#include <algorithm>

namespace ragrt::generate {
namespace {

size_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b) {
  auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<size_t>(ia - a.begin());
}

}  // namespace

std::optional<PrefixCache::Hit> PrefixCache::lookup(std::span<const int32_t> prompt) {
  if (prompt.empty()) return std::nullopt;
  auto best = entries_.end();
  size_t best_len = 0;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    size_t len = common_prefix(prompt, it->tokens);
    if (len > best_len) best_len = len, best = it;
  }
  // At least one prompt token must run, to give the logits of the next token.
  best_len = std::min(best_len, prompt.size() - 1);
  if (best == entries_.end() || best_len < min_tokens_ || best_len == 0) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, best);
  KvCache::RowRef row{&best->kv, 0, best_len};
  return Hit{KvCache::gather(std::span(&row, 1)), best_len};
}

void PrefixCache::insert(std::span<const int32_t> tokens, const KvCache& kv) {
  if (max_bytes_ == 0 || tokens.size() < min_tokens_ || kv.rows() != 1) return;
  // An entry that is a prefix of this one is superseded by it.
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->tokens.size() <= tokens.size() && common_prefix(tokens, it->tokens) == it->tokens.size()) {
      bytes_ -= it->bytes;
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  Entry entry{std::vector<int32_t>(tokens.begin(), tokens.end()), kv, kv.bytes()};
  if (entry.bytes > max_bytes_) return;
  bytes_ += entry.bytes;
  entries_.push_front(std::move(entry));
  evict();
}

void PrefixCache::evict() {
  while (bytes_ > max_bytes_ && !entries_.empty()) {
    bytes_ -= entries_.back().bytes;
    entries_.pop_back();
  }
}

}  // namespace ragrt::generate
