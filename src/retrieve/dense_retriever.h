#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/chunk_store.h"
#include "ragrt/retriever.h"
#include "ragrt/vector_index.h"

namespace ragrt::retrieve {

// Turns a query into its embedding (the embedder with the configured query prefix).
using QueryEncoder = std::function<std::vector<float>(std::string_view query)>;

// Nearest chunks by cosine similarity of embeddings; the hit score is that similarity.
// Filters: when few chunks pass the filter they are scored exactly from their stored embeddings
// (FAISS cannot restrict a search to a subset); otherwise the index is searched with growing
// over-fetch until k passing hits are found or the whole index has been seen.
class DenseRetriever final : public Retriever {
 public:
  // `vectors` returns the collection's current vector index (may be nullptr: nothing indexed).
  DenseRetriever(std::string name, QueryEncoder encode, std::function<std::shared_ptr<const VectorIndex>()> vectors,
                 const ChunkStore& store, size_t exact_filter_limit = 20000);
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override;

 private:
  std::string name_;
  QueryEncoder encode_;
  std::function<std::shared_ptr<const VectorIndex>()> vectors_;
  const ChunkStore& store_;
  size_t exact_filter_limit_;
};

}  // namespace ragrt::retrieve
