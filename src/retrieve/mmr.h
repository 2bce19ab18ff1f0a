#pragma once
// Maximal marginal relevance (Carbonell & Goldstein 1998): re-orders a retriever's hits so the top
// is not k near-copies of one passage (overlapping chunks, duplicated FAQ answers).
#include <string>
#include <vector>

#include "ragrt/chunk_store.h"
#include "ragrt/rag_config.h"
#include "ragrt/retriever.h"
#include "retrieve/dense_retriever.h"

namespace ragrt::retrieve {

// Greedy selection of up to k candidates maximizing
//   lambda * relevance[i] - (1 - lambda) * max over already selected j of cos(vectors[i], vectors[j]).
// Returns indices into the candidates in selection order, with the objective value at selection.
struct MmrPick {
  size_t index;
  double value;
};
std::vector<MmrPick> mmr_select(const std::vector<double>& relevance, const std::vector<std::vector<float>>& vectors,
                                double lambda, size_t k);

// Applies MMR to the inner retriever's top `params.candidates`; relevance is the cosine similarity
// of query and chunk embeddings (so MMR compares like with like). Hits whose chunk has no stored
// embedding keep their order after the MMR picks. Adds stage "mmr".
class MmrRetriever final : public Retriever {
 public:
  MmrRetriever(std::string name, const Retriever& inner, QueryEncoder encode, const ChunkStore& store, MmrParams params);
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override;

 private:
  std::string name_;
  const Retriever& inner_;
  QueryEncoder encode_;
  const ChunkStore& store_;
  MmrParams params_;
};

}  // namespace ragrt::retrieve
