#include "retrieve/fusion.h"

#include <algorithm>
#include <unordered_map>

#include "ragrt/error.h"

namespace ragrt::retrieve {
namespace {

// Accumulates fused scores per chunk, merging the stage scores and ranks each list recorded.
class Fuser {
 public:
  void add(const Hit& h, double contribution) {
    auto [it, inserted] = at_.try_emplace(h.chunk_id, hits_.size());
    if (inserted) {
      Hit fused;
      fused.chunk_id = h.chunk_id;
      hits_.push_back(std::move(fused));
    }
    Hit& f = hits_[it->second];
    f.score += contribution;
    for (const auto& [stage, s] : h.stages) f.stages.emplace(stage, s);
    for (const auto& [stage, r] : h.ranks) f.ranks.emplace(stage, r);
  }

  std::vector<Hit> finish() {
    std::sort(hits_.begin(), hits_.end(), [](const Hit& a, const Hit& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    });
    for (size_t i = 0; i < hits_.size(); ++i) {
      hits_[i].stages["fused"] = hits_[i].score;
      hits_[i].ranks["fused"] = i + 1;
    }
    return std::move(hits_);
  }

 private:
  std::unordered_map<int64_t, size_t> at_;
  std::vector<Hit> hits_;
};

}  // namespace

std::vector<Hit> fuse_rrf(const std::vector<RankedList>& lists, double k) {
  Fuser f;
  for (const RankedList& list : lists)
    for (size_t i = 0; i < list.hits.size(); ++i) f.add(list.hits[i], list.weight / (k + static_cast<double>(i + 1)));
  return f.finish();
}

std::vector<Hit> fuse_weighted(const std::vector<RankedList>& lists) {
  Fuser f;
  for (const RankedList& list : lists) {
    if (list.hits.empty()) continue;
    auto [lo, hi] = std::minmax_element(list.hits.begin(), list.hits.end(),
                                        [](const Hit& a, const Hit& b) { return a.score < b.score; });
    const double min = lo->score, range = hi->score - lo->score;
    for (const Hit& h : list.hits) f.add(h, list.weight * (range > 0 ? (h.score - min) / range : 1.0));
  }
  return f.finish();
}

HybridRetriever::HybridRetriever(std::string name, std::vector<const Retriever*> sources, std::vector<double> weights,
                                 Fusion fusion, double rrf_k, size_t candidates)
    : name_(std::move(name)), sources_(std::move(sources)), weights_(std::move(weights)), fusion_(fusion),
      rrf_k_(rrf_k), candidates_(candidates) {
  RAGRT_THROW_IF_NOT_KIND(!sources_.empty(), ErrorKind::kInvalidArgument, "retriever {}: no sources to fuse", name_);
  if (weights_.empty()) weights_.assign(sources_.size(), 1.0);
  RAGRT_THROW_IF_NOT_KIND(weights_.size() == sources_.size(), ErrorKind::kInvalidArgument,
                          "retriever {}: {} weights for {} sources", name_, weights_.size(), sources_.size());
}

std::vector<Hit> HybridRetriever::search(const SearchRequest& request) const {
  SearchRequest inner = request;
  inner.k = std::max(request.k, candidates_);
  std::vector<RankedList> lists;
  for (size_t i = 0; i < sources_.size(); ++i) lists.push_back({weights_[i], sources_[i]->search(inner)});
  std::vector<Hit> fused = fusion_ == Fusion::kRrf ? fuse_rrf(lists, rrf_k_) : fuse_weighted(lists);
  if (fused.size() > request.k) fused.resize(request.k);
  return fused;
}

}  // namespace ragrt::retrieve
