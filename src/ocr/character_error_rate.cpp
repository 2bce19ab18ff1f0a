#include <vector>

#include "ragrt/ocr.h"
#include "text/edit_distance.h"
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
  return static_cast<double>(text::edit_distance(a, b)) / static_cast<double>(b.size());
}

}  // namespace ragrt
