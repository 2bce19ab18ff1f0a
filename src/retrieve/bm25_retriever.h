#pragma once
#include <string>

#include "ragrt/keyword_index.h"
#include "ragrt/retriever.h"

namespace ragrt::retrieve {

// BM25 over the keyword index; the hit score is the BM25 score.
class Bm25Retriever final : public Retriever {
 public:
  Bm25Retriever(std::string name, const KeywordIndex& index) : name_(std::move(name)), index_(index) {}
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override;

 private:
  std::string name_;
  const KeywordIndex& index_;
};

}  // namespace ragrt::retrieve
