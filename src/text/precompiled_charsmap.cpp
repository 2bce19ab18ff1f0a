#include "text/precompiled_charsmap.h"

#include <cstring>

#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::text {

std::string base64_decode(std::string_view in, const std::string& where) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    if (c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0) RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} is not valid base64", where);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view bytes, const std::string& where) {
  if (bytes.size() < 4) RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} is too short", where);
  uint32_t trie_bytes;
  std::memcpy(&trie_bytes, bytes.data(), 4);  // little endian, as the format and our targets are
  if (trie_bytes % 4 != 0 || trie_bytes > bytes.size() - 4)
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} declares a trie of {} bytes but holds {}", where,
                     trie_bytes, bytes.size() - 4);
  trie_.resize(trie_bytes / 4);
  if (!trie_.empty()) std::memcpy(trie_.data(), bytes.data() + 4, trie_bytes);
  normalized_.assign(bytes.substr(4 + trie_bytes));
  if (find_invalid_utf8(normalized_) != kValidUtf8)
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: the normalized strings are not valid UTF-8", where);
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const {
  // Darts-clone unit layout.
  auto has_leaf = [](uint32_t u) { return ((u >> 8) & 1) == 1; };
  auto value = [](uint32_t u) { return u & ((1u << 31) - 1); };
  auto label = [](uint32_t u) { return u & ((1u << 31) | 0xFF); };
  auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  if (trie_.empty()) return std::nullopt;
  size_t node = 0;
  uint32_t unit = trie_[0];
  node ^= offset(unit);
  for (char ch : chunk) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    node ^= c;
    if (node >= trie_.size()) return std::nullopt;
    unit = trie_[node];
    if (label(unit) != c) return std::nullopt;
    node ^= offset(unit);
    if (has_leaf(unit)) {
      if (node >= trie_.size()) return std::nullopt;
      size_t start = value(trie_[node]);
      if (start > normalized_.size()) return std::nullopt;
      size_t end = normalized_.find('\0', start);
      if (end == std::string::npos) end = normalized_.size();
      std::string_view out(normalized_.data() + start, end - start);
      // A value pointing into the middle of a char would make Rust panic; treat it as no match.
      if (find_invalid_utf8(out) != kValidUtf8) return std::nullopt;
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace ragrt::text
