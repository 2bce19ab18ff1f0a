#pragma once
// Exact top-k inner-product search over a row-major float table: the Flat scan behind "Flat"
// indexes and the untrained buffer. Debian builds faiss for baseline x86-64 (SSE2), whose scan
// of 100k x 384 floats takes ~35 ms on one core; with AVX2 + FMA, chosen at run time when the CPU
// has them, the same scan takes under 10 ms. Results are the same fp32 sums up to rounding order.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ragrt {

struct RowScore {
  float score;
  size_t row;
};

struct ExactScanParams {
  unsigned max_threads = 0;  // 0 = hardware concurrency
  // Each thread gets at least this many floats (32 MB): below that a thread costs more than it
  // saves, above it one core cannot use all the memory bandwidth.
  size_t min_floats_per_thread = size_t{8} << 20;
};

// Best first (ties: lower row first); at most k rows.
std::vector<RowScore> top_k_inner_product(const float* query, const float* rows, size_t row_count, size_t dim,
                                          size_t k, const ExactScanParams& params = {});

// Which kernel top_k_inner_product uses on this CPU: "avx2+fma" or "scalar".
const char* inner_product_kernel();

}  // namespace ragrt
