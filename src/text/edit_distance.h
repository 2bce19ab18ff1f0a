#pragma once
// Levenshtein distance between two sequences (bytes of a name, code points of a text), one row at
// a time: O(|a|·|b|) time, O(|b|) memory.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace ragrt::text {

template <class Sequence>
size_t edit_distance(const Sequence& a, const Sequence& b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace ragrt::text
