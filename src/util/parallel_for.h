#pragma once
// Splits [0, n) into `parts` contiguous ranges of near-equal size and runs fn(part, begin, end) on
// each, part 0 on the calling thread and the others on threads started for the call. For scans of
// tens of megabytes, where starting a thread (tens of microseconds) is noise and a pool that waits
// for work would compete for cores with ONNX Runtime's own.
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace ragrt::util {

inline void parallel_for(size_t n, size_t parts, const std::function<void(size_t, size_t, size_t)>& fn) {
  if (parts <= 1 || n < 2) {
    fn(0, 0, n);
    return;
  }
  std::vector<std::jthread> workers;
  for (size_t p = 1; p < parts; ++p) {
    workers.emplace_back([&fn, n, parts, p] { fn(p, n * p / parts, n * (p + 1) / parts); });
  }
  fn(0, 0, n / parts);
}

}  // namespace ragrt::util
