#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/chunk_store.h"
#include "ragrt/rag_config.h"
#include "ragrt/retriever.h"

namespace ragrt::retrieve {

// Relevance of each passage to the query (a cross-encoder); larger is more relevant.
using PassageScorer = std::function<std::vector<float>(std::string_view query, const std::vector<std::string>& passages)>;

// Scores the inner retriever's top `params.top_n` chunks with a cross-encoder and orders them by
// that score (stage "rerank"); when k > top_n the remaining hits follow in the inner order.
class RerankRetriever final : public Retriever {
 public:
  RerankRetriever(std::string name, const Retriever& inner, PassageScorer score, const ChunkStore& store,
                  RerankParams params);
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override;

 private:
  std::string name_;
  const Retriever& inner_;
  PassageScorer score_;
  const ChunkStore& store_;
  RerankParams params_;
};

}  // namespace ragrt::retrieve
