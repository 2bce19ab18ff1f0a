#pragma once
// Keyword (BM25) search over chunks: SQLite FTS5 in the embedded default.
#include <string_view>
#include <vector>

#include "ragrt/chunk_store.h"

namespace ragrt {

class KeywordIndex {
 public:
  virtual ~KeywordIndex() = default;
  // The best `k` chunks for `query` by BM25 (larger score is better), restricted by `filter`.
  // A query without any searchable term returns nothing.
  virtual std::vector<ScoredId> keyword_search(std::string_view query, size_t k, const SearchFilter& filter) const = 0;
};

}  // namespace ragrt
