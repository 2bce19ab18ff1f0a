#pragma once
// Hybrid retrieval: several retrievers' ranked lists fused into one.
#include <string>
#include <vector>

#include "ragrt/rag_config.h"
#include "ragrt/retriever.h"

namespace ragrt::retrieve {

struct RankedList {
  double weight = 1;
  std::vector<Hit> hits;  // best first
};

// Reciprocal rank fusion (Cormack et al. 2009): score = sum of weight / (k + rank) over the lists
// holding the chunk. Only ranks matter, so scores on different scales (BM25, cosine) combine.
std::vector<Hit> fuse_rrf(const std::vector<RankedList>& lists, double k);
// Weighted score fusion: each list's scores min-max normalized to [0, 1] (all equal -> 1), then
// summed with the weights; a chunk missing from a list gets 0 from it.
std::vector<Hit> fuse_weighted(const std::vector<RankedList>& lists);

// In both, the fused hit keeps every source stage's score and rank and adds stage "fused"; ties
// are broken by chunk id so results are reproducible.

class HybridRetriever final : public Retriever {
 public:
  // `sources` must outlive this; `weights` empty or one per source.
  HybridRetriever(std::string name, std::vector<const Retriever*> sources, std::vector<double> weights,
                  Fusion fusion, double rrf_k, size_t candidates);
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override;

 private:
  std::string name_;
  std::vector<const Retriever*> sources_;
  std::vector<double> weights_;
  Fusion fusion_;
  double rrf_k_;
  size_t candidates_;
};

}  // namespace ragrt::retrieve
