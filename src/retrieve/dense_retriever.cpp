#include "retrieve/dense_retriever.h"

#include <algorithm>

#include "retrieve/similarity.h"

namespace ragrt::retrieve {

DenseRetriever::DenseRetriever(std::string name, QueryEncoder encode, std::function<std::shared_ptr<const VectorIndex>()> vectors,
                               const ChunkStore& store, size_t exact_filter_limit)
    : name_(std::move(name)), encode_(std::move(encode)), vectors_(std::move(vectors)), store_(store),
      exact_filter_limit_(exact_filter_limit) {}

namespace {

std::vector<Hit> to_hits(const std::vector<ScoredId>& scored, size_t k) {
  std::vector<Hit> hits;
  for (const ScoredId& s : scored) {
    if (hits.size() == k) break;
    Hit h;
    h.chunk_id = s.id;
    h.score = s.score;
    h.stages["dense"] = s.score;
    h.ranks["dense"] = hits.size() + 1;
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace

std::vector<Hit> DenseRetriever::search(const SearchRequest& request) const {
  const std::shared_ptr<const VectorIndex> index = vectors_();
  if (!index || index->size() == 0 || request.k == 0) return {};
  // Both paths below normalize: the vector index by contract, cosine() by definition.
  const std::vector<float> q = encode_(request.query);
  if (request.filter.empty()) return to_hits(index->search(q, request.k), request.k);

  const std::vector<int64_t> allowed = store_.matching_ids(request.filter, exact_filter_limit_ + 1);
  if (allowed.size() <= exact_filter_limit_) {
    std::vector<ScoredId> scored;
    for (const auto& [id, v] : store_.vectors(allowed)) {
      if (v.size() == q.size()) scored.push_back({id, cosine(q, v)});
    }
    std::sort(scored.begin(), scored.end(), [](const ScoredId& a, const ScoredId& b) {
      return a.score != b.score ? a.score > b.score : a.id < b.id;
    });
    return to_hits(scored, request.k);
  }
  // Many chunks pass: they are likely among the nearest, so over-fetch and filter.
  for (size_t fetch = request.k * 4;; fetch *= 4) {
    fetch = std::min(fetch, index->size());
    std::vector<ScoredId> scored = index->search(q, fetch);
    std::vector<int64_t> ids;
    for (const auto& s : scored) ids.push_back(s.id);
    std::vector<int64_t> pass = store_.filter_ids(ids, request.filter);
    std::vector<ScoredId> kept;
    size_t j = 0;
    for (const auto& s : scored) {
      if (j < pass.size() && pass[j] == s.id) {
        kept.push_back(s);
        ++j;
      }
    }
    if (kept.size() >= request.k || fetch >= index->size()) return to_hits(kept, request.k);
  }
}

}  // namespace ragrt::retrieve
