#pragma once
#include <cmath>
#include <vector>

namespace ragrt::retrieve {

// Cosine similarity of two embeddings, accumulated in double; 0 when the sizes differ or either
// vector is zero.
inline double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0;
}

}  // namespace ragrt::retrieve
