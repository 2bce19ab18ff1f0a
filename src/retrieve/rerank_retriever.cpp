#include "retrieve/rerank_retriever.h"

#include <algorithm>
#include <unordered_map>

#include "ragrt/error.h"

namespace ragrt::retrieve {

RerankRetriever::RerankRetriever(std::string name, const Retriever& inner, PassageScorer score,
                                 const ChunkStore& store, RerankParams params)
    : name_(std::move(name)), inner_(inner), score_(std::move(score)), store_(store), params_(params) {}

std::vector<Hit> RerankRetriever::search(const SearchRequest& request) const {
  SearchRequest inner = request;
  inner.k = std::max(request.k, params_.top_n);
  std::vector<Hit> hits = inner_.search(inner);
  const size_t n = std::min(hits.size(), params_.top_n);
  if (n == 0) return hits;
  std::vector<int64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(hits[i].chunk_id);
  std::unordered_map<int64_t, std::string> text;
  for (auto& c : store_.chunks(ids)) text.emplace(c.id, std::move(c.chunk.text));
  std::vector<std::string> passages;
  for (int64_t id : ids) passages.push_back(text.count(id) ? text[id] : std::string());
  const std::vector<float> scores = score_(request.query, passages);
  RAGRT_THROW_IF_NOT(scores.size() == n, "retriever {}: the reranker returned {} scores for {} passages", name_,
                     scores.size(), n);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  // Stable: equal rerank scores keep the inner order.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<Hit> out;
  for (size_t i : order) {
    if (out.size() == request.k) break;
    Hit h = std::move(hits[i]);
    h.score = scores[i];
    h.stages["rerank"] = scores[i];
    h.ranks["rerank"] = out.size() + 1;
    out.push_back(std::move(h));
  }
  for (size_t i = n; i < hits.size() && out.size() < request.k; ++i) out.push_back(std::move(hits[i]));
  return out;
}

}  // namespace ragrt::retrieve
