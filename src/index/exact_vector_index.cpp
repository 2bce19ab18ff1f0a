#include "index/exact_vector_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <shared_mutex>

#include <fmt/format.h>

#include "index/exact_inner_product.h"
#include "ragrt/error.h"

namespace ragrt::index {
namespace {

void normalize(float* v, size_t dim) {
  float squared = 0;
  for (size_t i = 0; i < dim; ++i) squared += v[i] * v[i];
  if (squared == 0) return;  // a zero vector stays zero, as in the faiss index
  const float scale = 1.0f / std::sqrt(squared);
  for (size_t i = 0; i < dim; ++i) v[i] *= scale;
}

}  // namespace

ExactVectorIndex::ExactVectorIndex(size_t dim) : dim_(dim) {
  RAGRT_THROW_IF_NOT_KIND(dim > 0, ErrorKind::kInvalidArgument, "exact vector index: dimension must be above 0");
}

size_t ExactVectorIndex::size() const {
  std::shared_lock lock(mutex_);
  return ids_.size();
}

std::string ExactVectorIndex::description() const {
  return fmt::format("exact scan, {} (dim {}, {} vectors)", inner_product_kernel(), dim_, size());
}

void ExactVectorIndex::add(std::span<const int64_t> ids, std::span<const float> vectors) {
  RAGRT_THROW_IF_NOT_KIND(vectors.size() == ids.size() * dim_, ErrorKind::kInvalidArgument,
                          "exact vector index: {} ids need {} floats, got {}", ids.size(), ids.size() * dim_,
                          vectors.size());
  for (int64_t id : ids) RAGRT_THROW_IF_NOT_KIND(id >= 0, ErrorKind::kInvalidArgument, "negative vector id {}", id);
  std::unique_lock lock(mutex_);
  for (size_t i = 0; i < ids.size(); ++i) {
    size_t row;
    if (auto it = row_of_.find(ids[i]); it != row_of_.end()) {
      row = it->second;  // replaced in place: its last vector wins
    } else {
      row = ids_.size();
      ids_.push_back(ids[i]);
      rows_.resize(rows_.size() + dim_);
      row_of_[ids[i]] = row;
    }
    float* dst = rows_.data() + row * dim_;
    std::copy_n(vectors.data() + i * dim_, dim_, dst);
    normalize(dst, dim_);
  }
}

void ExactVectorIndex::remove_row(size_t row) {
  const size_t last = ids_.size() - 1;
  row_of_.erase(ids_[row]);
  if (row != last) {
    std::copy_n(rows_.data() + last * dim_, dim_, rows_.data() + row * dim_);
    ids_[row] = ids_[last];
    row_of_[ids_[row]] = row;
  }
  ids_.pop_back();
  rows_.resize(ids_.size() * dim_);
}

void ExactVectorIndex::remove(std::span<const int64_t> ids) {
  std::unique_lock lock(mutex_);
  for (int64_t id : ids)
    if (auto it = row_of_.find(id); it != row_of_.end()) remove_row(it->second);
}

std::vector<ScoredId> ExactVectorIndex::search(std::span<const float> query, size_t k) const {
  RAGRT_THROW_IF_NOT_KIND(query.size() == dim_, ErrorKind::kInvalidArgument,
                          "query has {} dimensions, the index {}", query.size(), dim_);
  std::vector<float> q(query.begin(), query.end());
  normalize(q.data(), dim_);
  std::shared_lock lock(mutex_);
  std::vector<ScoredId> out;
  if (k == 0 || ids_.empty()) return out;
  for (const RowScore& r : top_k_inner_product(q.data(), rows_.data(), ids_.size(), dim_, k))
    out.push_back({ids_[r.row], r.score});
  return out;
}

}  // namespace ragrt::index
