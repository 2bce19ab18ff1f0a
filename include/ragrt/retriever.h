#pragma once
// Retrievers: bm25, dense, hybrid (fusion of others), each optionally followed by MMR and a
// cross-encoder rerank stage. Every hit carries the score of each stage it went through.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ragrt/chunk_store.h"

namespace ragrt {

struct Hit {
  int64_t chunk_id = 0;
  double score = 0;                     // the final stage's score; larger is better
  std::map<std::string, double> stages; // "bm25", "dense", "fused", "mmr", "rerank" -> score
  std::map<std::string, size_t> ranks;  // 1-based rank in each stage's list
};

struct SearchRequest {
  std::string query;
  size_t k = 10;
  SearchFilter filter;
};

class Retriever {
 public:
  virtual ~Retriever() = default;
  virtual std::string name() const = 0;
  // Best first, at most request.k hits. Thread-safe.
  virtual std::vector<Hit> search(const SearchRequest& request) const = 0;
};

}  // namespace ragrt
