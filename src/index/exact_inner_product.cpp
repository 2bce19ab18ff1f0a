#include "exact_inner_product.h"

#include <immintrin.h>

#include <algorithm>
#include <functional>
#include <thread>

namespace ragrt {
namespace {

float dot_scalar(const float* a, const float* b, size_t dim) {
  // Four accumulators let the compiler vectorize with the baseline instruction set.
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= dim; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < dim; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

__attribute__((target("avx2,fma"))) float dot_avx2(const float* a, const float* b, size_t dim) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 32 <= dim; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= dim; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
  __m128 half = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
  half = _mm_hadd_ps(half, half);
  half = _mm_hadd_ps(half, half);
  float sum = _mm_cvtss_f32(half);
  for (; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

using DotFn = float (*)(const float*, const float*, size_t);

DotFn pick_kernel() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? dot_avx2 : dot_scalar;
}

const DotFn kDot = pick_kernel();

bool better(const RowScore& a, const RowScore& b) { return a.score > b.score || (a.score == b.score && a.row < b.row); }

// Keeps the k best in a heap whose top is the worst kept, so most rows cost one comparison.
void scan(const float* query, const float* rows, size_t begin, size_t end, size_t dim, size_t k,
          std::vector<RowScore>& heap) {
  heap.clear();
  heap.reserve(k);
  for (size_t row = begin; row < end; ++row) {
    float score = kDot(query, rows + row * dim, dim);
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

const char* inner_product_kernel() { return kDot == dot_avx2 ? "avx2+fma" : "scalar"; }

std::vector<RowScore> top_k_inner_product(const float* query, const float* rows, size_t row_count, size_t dim,
                                          size_t k, const ExactScanParams& params) {
  k = std::min(k, row_count);
  if (k == 0 || dim == 0) return {};
  size_t max_threads = params.max_threads ? params.max_threads : std::max(1u, std::thread::hardware_concurrency());
  size_t threads =
      std::clamp<size_t>(row_count * dim / std::max<size_t>(params.min_floats_per_thread, 1), 1, max_threads);

  std::vector<std::vector<RowScore>> parts(threads);
  if (threads == 1) {
    scan(query, rows, 0, row_count, dim, k, parts[0]);
  } else {
    std::vector<std::jthread> workers;
    for (size_t t = 1; t < threads; ++t) {
      workers.emplace_back([&, t] {
        scan(query, rows, row_count * t / threads, row_count * (t + 1) / threads, dim, k, parts[t]);
      });
    }
    scan(query, rows, 0, row_count / threads, dim, k, parts[0]);
  }
  std::vector<RowScore> best;
  for (auto& part : parts) best.insert(best.end(), part.begin(), part.end());
  auto keep = std::min(k, best.size());
  std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(keep), best.end(), better);
  best.resize(keep);
  return best;
}

}  // namespace ragrt
