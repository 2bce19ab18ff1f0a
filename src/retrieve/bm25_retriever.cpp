#include "retrieve/bm25_retriever.h"

namespace ragrt::retrieve {

std::vector<Hit> Bm25Retriever::search(const SearchRequest& request) const {
  std::vector<Hit> hits;
  size_t rank = 0;
  for (const ScoredId& s : index_.keyword_search(request.query, request.k, request.filter)) {
    Hit h;
    h.chunk_id = s.id;
    h.score = s.score;
    h.stages["bm25"] = s.score;
    h.ranks["bm25"] = ++rank;
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace ragrt::retrieve
