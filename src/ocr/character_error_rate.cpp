#include <algorithm>
#include <vector>

#include "ragrt/ocr.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

std::vector<char32_t> visible_chars(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const char32_t c = text::decode_utf8(s.data(), i);
    if (!text::unicode::is_whitespace(c)) out.push_back(c);
  }
  return out;
}

}  // namespace

double character_error_rate(std::string_view recognized, std::string_view expected) {
  const auto a = visible_chars(recognized);
  const auto b = visible_chars(expected);
  if (b.empty()) return a.empty() ? 0.0 : 1.0;
  // Levenshtein distance, one row at a time.
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return static_cast<double>(row[b.size()]) / static_cast<double>(b.size());
}

}  // namespace ragrt
