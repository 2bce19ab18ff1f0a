#include "retrieve/mmr.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "retrieve/similarity.h"

namespace ragrt::retrieve {

std::vector<MmrPick> mmr_select(const std::vector<double>& relevance, const std::vector<std::vector<float>>& vectors,
                                double lambda, size_t k) {
  const size_t n = std::min(relevance.size(), vectors.size());
  std::vector<MmrPick> picks;
  std::vector<double> max_sim(n, -std::numeric_limits<double>::infinity());
  std::vector<bool> taken(n, false);
  while (picks.size() < std::min(k, n)) {
    size_t best = n;
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      const double redundancy = picks.empty() ? 0.0 : max_sim[i];
      const double value = lambda * relevance[i] - (1 - lambda) * redundancy;
      if (value > best_value) {  // strict: ties keep the earlier (better-ranked) candidate
        best_value = value;
        best = i;
      }
    }
    taken[best] = true;
    picks.push_back({best, best_value});
    for (size_t i = 0; i < n; ++i)
      if (!taken[i]) max_sim[i] = std::max(max_sim[i], cosine(vectors[i], vectors[best]));
  }
  return picks;
}

MmrRetriever::MmrRetriever(std::string name, const Retriever& inner, QueryEncoder encode, const ChunkStore& store,
                           MmrParams params)
    : name_(std::move(name)), inner_(inner), encode_(std::move(encode)), store_(store), params_(params) {}

std::vector<Hit> MmrRetriever::search(const SearchRequest& request) const {
  SearchRequest inner = request;
  inner.k = std::max(request.k, params_.candidates);
  std::vector<Hit> hits = inner_.search(inner);
  if (hits.empty()) return hits;
  std::vector<int64_t> ids;
  for (const Hit& h : hits) ids.push_back(h.chunk_id);
  std::unordered_map<int64_t, std::vector<float>> stored;
  for (auto& [id, v] : store_.vectors(ids)) stored.emplace(id, std::move(v));
  const std::vector<float> q = encode_(request.query);

  std::vector<size_t> with_vector, without;
  std::vector<double> relevance;
  std::vector<std::vector<float>> vectors;
  for (size_t i = 0; i < hits.size(); ++i) {
    auto it = stored.find(hits[i].chunk_id);
    if (it == stored.end() || it->second.size() != q.size()) {
      without.push_back(i);
      continue;
    }
    with_vector.push_back(i);
    relevance.push_back(cosine(q, it->second));
    vectors.push_back(std::move(it->second));
  }
  std::vector<Hit> out;
  for (const MmrPick& p : mmr_select(relevance, vectors, params_.lambda, request.k)) {
    Hit h = std::move(hits[with_vector[p.index]]);
    h.score = p.value;
    h.stages["mmr"] = p.value;
    h.ranks["mmr"] = out.size() + 1;
    out.push_back(std::move(h));
  }
  for (size_t i : without) {
    if (out.size() == request.k) break;
    out.push_back(std::move(hits[i]));
  }
  return out;
}

}  // namespace ragrt::retrieve
