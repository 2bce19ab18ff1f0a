#pragma once
// VectorIndex as one table of L2-normalized rows scanned in full by each search (the AVX2 kernel
// of exact_inner_product.h): exact results, no training, no faiss, and add/remove in place. Right
// for collections up to a few hundred thousand chunks, where a scan takes milliseconds; it keeps
// nothing on disk (the collection rebuilds it from the stored embeddings on open).
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "ragrt/vector_index.h"
#include "util/writer_preferring_mutex.h"

namespace ragrt::index {

class ExactVectorIndex final : public VectorIndex {
 public:
  explicit ExactVectorIndex(size_t dim);  // throws kInvalidArgument when dim is 0

  size_t dim() const override { return dim_; }
  size_t size() const override;
  std::string description() const override;
  void add(std::span<const int64_t> ids, std::span<const float> vectors) override;
  void remove(std::span<const int64_t> ids) override;
  std::vector<ScoredId> search(std::span<const float> query, size_t k) const override;
  // Nothing to write: the index is rebuilt from the collection's stored embeddings.
  void save(const std::filesystem::path&) const override {}

 private:
  void remove_row(size_t row);  // moves the last row into `row`

  size_t dim_;
  mutable WriterPreferringMutex mutex_;
  std::vector<float> rows_;  // ids_.size() * dim_
  std::vector<int64_t> ids_;
  std::unordered_map<int64_t, size_t> row_of_;
};

}  // namespace ragrt::index
