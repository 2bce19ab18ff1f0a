#include "text/pattern.h"

namespace ragrt::text {

void find_literal_matches(std::string_view s, std::string_view literal, std::vector<Split>& out) {
  out.clear();
  if (s.empty()) {
    out.push_back({0, 0, false});
    return;
  }
  size_t prev = 0, pos = 0;
  while ((pos = s.find(literal, pos)) != std::string_view::npos) {
    if (prev != pos) out.push_back({prev, pos, false});
    out.push_back({pos, pos + literal.size(), true});
    pos += literal.size();
    prev = pos;
  }
  if (prev != s.size()) out.push_back({prev, s.size(), false});
}

}  // namespace ragrt::text
