// retrieval_bench: dense search latency of ragrt's FAISS-backed VectorIndex, the "ours" side of
// the dense figure in bench/run retrieval.
//
//   retrieval_bench [--vectors N] [--dim D] [--queries Q] [--k K] [--factory STR]
//
// Adds N random unit vectors (fixed seed) to make_vector_index(STR, D), then times Q searches
// for random unit queries one at a time (one thread, like one request). Prints
//   ours dense factory=STR vectors=N dim=D build_s=… p50_ms=… p95_ms=…
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <omp.h>

#include "ragrt/vector_index.h"

namespace {

std::vector<float> random_unit(std::mt19937& rng, size_t n, size_t dim) {
  std::normal_distribution<float> normal;
  std::vector<float> v(n * dim);
  for (size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (size_t d = 0; d < dim; ++d) norm += std::pow(v[i * dim + d] = normal(rng), 2);
    const float inv = static_cast<float>(1 / std::sqrt(norm));
    for (size_t d = 0; d < dim; ++d) v[i * dim + d] *= inv;
  }
  return v;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 100000, dim = 384, queries = 200, k = 10;
  std::string factory = "Flat";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--vectors") n = std::stoul(argv[i + 1]);
    else if (a == "--dim") dim = std::stoul(argv[i + 1]);
    else if (a == "--queries") queries = std::stoul(argv[i + 1]);
    else if (a == "--k") k = std::stoul(argv[i + 1]);
    else if (a == "--factory") factory = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  std::mt19937 rng(42);
  const std::vector<float> data = random_unit(rng, n, dim);
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i + 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto index = ragrt::make_vector_index(factory, dim);
  index->add(ids, data);
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<float> qs = random_unit(rng, queries + 10, dim);
  std::vector<double> ms;
  for (size_t q = 0; q < queries + 10; ++q) {
    const auto s = std::chrono::steady_clock::now();
    auto hits = index->search(std::span<const float>(qs.data() + q * dim, dim), k);
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
    if (hits.size() != k) {
      std::fprintf(stderr, "search returned %zu hits, expected %zu\n", hits.size(), k);
      return 1;
    }
    if (q >= 10) ms.push_back(t);  // the first searches warm caches and OpenMP threads
  }
  std::printf("ours dense factory=%s vectors=%zu dim=%zu threads=%d build_s=%.2f p50_ms=%.3f p95_ms=%.3f\n",
              factory.c_str(), n, dim, omp_get_max_threads(), build_s, percentile(ms, 0.5), percentile(ms, 0.95));
  return 0;
}
