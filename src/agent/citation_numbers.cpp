#include "agent/citation_numbers.h"

#include <algorithm>

namespace ragrt::agent {
namespace {

constexpr size_t kLongestMarker = 32;  // "[12, 13, 14]" and the like; longer is not a marker

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string CitationNumbers::emit(std::string s) {
  text_ += s;
  return s;
}

std::string CitationNumbers::renumber(std::string_view inside) {
  if (inside.empty() || inside.find_first_not_of("0123456789, ") != std::string_view::npos) return {};
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= inside.size();) {
    size_t end = inside.find(',', start);
    if (end == std::string_view::npos) end = inside.size();
    std::string_view id = trim(inside.substr(start, end - start));
    if (id.empty() || std::find(ids_.begin(), ids_.end(), id) == ids_.end()) return {};
    parts.push_back(id);
    start = end + 1;
  }
  std::string out;
  for (std::string_view id : parts) {
    auto [it, added] = number_.try_emplace(std::string(id), order_.size() + 1);
    if (added) order_.emplace_back(id);
    out += (out.empty() ? "" : ", ") + std::to_string(it->second);
  }
  return out;
}

std::string CitationNumbers::feed(std::string_view piece) {
  std::string in = pending_ + std::string(piece);
  pending_.clear();
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const size_t open = in.find('[', i);
    if (open == std::string::npos) {
      out.append(in, i, std::string::npos);
      break;
    }
    out.append(in, i, open - i);
    const size_t close = in.find(']', open);
    if (close == std::string::npos) {
      const std::string_view tail = std::string_view(in).substr(open + 1);
      if (tail.size() < kLongestMarker && tail.find_first_not_of("0123456789, ") == std::string_view::npos) {
        pending_ = in.substr(open);  // may still become a marker
        break;
      }
      out += '[';
      i = open + 1;
      continue;
    }
    const std::string numbers = renumber(std::string_view(in).substr(open + 1, close - open - 1));
    if (numbers.empty()) {
      out += '[';
      i = open + 1;
      continue;
    }
    out += "[" + numbers + "]";
    i = close + 1;
  }
  return emit(std::move(out));
}

std::string CitationNumbers::flush() {
  std::string rest;
  rest.swap(pending_);
  return emit(std::move(rest));
}

}  // namespace ragrt::agent
