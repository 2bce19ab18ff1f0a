#include "exact_inner_product.h"

#include <algorithm>
#include <thread>

#include "util/parallel_for.h"
#include "util/simd_dot.h"

namespace ragrt {
namespace {

bool better(const RowScore& a, const RowScore& b) { return a.score > b.score || (a.score == b.score && a.row < b.row); }

// Keeps the k best in a heap whose top is the worst kept, so most rows cost one comparison.
void scan(const float* query, const float* rows, size_t begin, size_t end, size_t dim, size_t k,
          std::vector<RowScore>& heap) {
  heap.clear();
  heap.reserve(k);
  for (size_t row = begin; row < end; ++row) {
    float score = util::dot(query, rows + row * dim, dim);
    if (heap.size() < k) {
      heap.push_back({score, row});
      std::push_heap(heap.begin(), heap.end(), better);
    } else if (better({score, row}, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.back() = {score, row};
      std::push_heap(heap.begin(), heap.end(), better);
    }
  }
}

}  // namespace

const char* inner_product_kernel() { return util::dot_kernel(); }

std::vector<RowScore> top_k_inner_product(const float* query, const float* rows, size_t row_count, size_t dim,
                                          size_t k, const ExactScanParams& params) {
  k = std::min(k, row_count);
  if (k == 0 || dim == 0) return {};
  size_t max_threads = params.max_threads ? params.max_threads : std::max(1u, std::thread::hardware_concurrency());
  size_t threads =
      std::clamp<size_t>(row_count * dim / std::max<size_t>(params.min_floats_per_thread, 1), 1, max_threads);

  std::vector<std::vector<RowScore>> parts(threads);
  util::parallel_for(row_count, threads, [&](size_t part, size_t begin, size_t end) {
    scan(query, rows, begin, end, dim, k, parts[part]);
  });
  std::vector<RowScore> best;
  for (auto& part : parts) best.insert(best.end(), part.begin(), part.end());
  auto keep = std::min(k, best.size());
  std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(keep), best.end(), better);
  best.resize(keep);
  return best;
}

}  // namespace ragrt
