#include "models/pooling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ragrt/error.h"

namespace ragrt::models {

void pool(Pooling pooling, std::span<const float> hidden, std::span<const int64_t> mask, std::span<float> out) {
  const size_t dim = out.size();
  const size_t seq = mask.size();
  RAGRT_THROW_IF_NOT(hidden.size() == seq * dim, "pooling: {} hidden values for {} tokens of {} dims", hidden.size(),
                     seq, dim);
  std::fill(out.begin(), out.end(), 0.0f);
  switch (pooling) {
    case Pooling::kCls:
      if (seq > 0) std::copy_n(hidden.begin(), dim, out.begin());
      return;
    case Pooling::kLastToken: {
      for (size_t s = seq; s-- > 0;) {
        if (mask[s]) {
          std::copy_n(hidden.begin() + s * dim, dim, out.begin());
          return;
        }
      }
      return;
    }
    case Pooling::kMean: {
      // Accumulate in double: long inputs sum hundreds of rows.
      std::vector<double> sum(dim, 0.0);
      double count = 0;
      for (size_t s = 0; s < seq; ++s) {
        if (!mask[s]) continue;
        const float* row = hidden.data() + s * dim;
        for (size_t d = 0; d < dim; ++d) sum[d] += row[d];
        count += 1;
      }
      if (count == 0) return;
      for (size_t d = 0; d < dim; ++d) out[d] = static_cast<float>(sum[d] / count);
      return;
    }
    case Pooling::kMax: {
      bool any = false;
      std::fill(out.begin(), out.end(), -std::numeric_limits<float>::infinity());
      for (size_t s = 0; s < seq; ++s) {
        if (!mask[s]) continue;
        any = true;
        const float* row = hidden.data() + s * dim;
        for (size_t d = 0; d < dim; ++d) out[d] = std::max(out[d], row[d]);
      }
      if (!any) std::fill(out.begin(), out.end(), 0.0f);
      return;
    }
  }
}

void l2_normalize(std::span<float> v) {
  double sq = 0;
  for (float x : v) sq += static_cast<double>(x) * x;
  double norm = std::max(std::sqrt(sq), 1e-12);
  for (float& x : v) x = static_cast<float>(x / norm);
}

}  // namespace ragrt::models
