#pragma once
// A retriever that returns a fixed list, recording the requests it got.
#include <vector>

#include "ragrt/retriever.h"

namespace ragrt::testing {

class FakeRetriever final : public Retriever {
 public:
  FakeRetriever(std::string stage, std::vector<std::pair<int64_t, double>> scored)
      : stage_(std::move(stage)), scored_(std::move(scored)) {}
  std::string name() const override { return stage_; }
  std::vector<Hit> search(const SearchRequest& request) const override {
    requests.push_back(request);
    std::vector<Hit> out;
    for (const auto& [id, score] : scored_) {
      if (out.size() == request.k) break;
      Hit h;
      h.chunk_id = id;
      h.score = score;
      h.stages[stage_] = score;
      h.ranks[stage_] = out.size() + 1;
      out.push_back(h);
    }
    return out;
  }
  mutable std::vector<SearchRequest> requests;

 private:
  std::string stage_;
  std::vector<std::pair<int64_t, double>> scored_;
};

inline std::vector<int64_t> ids_of(const std::vector<Hit>& hits) {
  std::vector<int64_t> out;
  for (const auto& h : hits) out.push_back(h.chunk_id);
  return out;
}

}  // namespace ragrt::testing
