#include "text/utf8.h"

#include <vector>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace ragrt::text {

namespace {
// Length of the well-formed sequence at s[i], or 0 when it is not well formed. Also reports how
// many bytes form the maximal prefix of a valid sequence (what from_utf8_lossy replaces at once).
size_t valid_seq_at(std::string_view s, size_t i, size_t* maximal_prefix) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = at(i);
  size_t n = s.size();
  *maximal_prefix = 1;
  if (b0 < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= n) return 0;
    unsigned char b = at(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) return 0;
    *maximal_prefix = k + 1;
  }
  return need;
}
}  // namespace

size_t find_invalid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t prefix;
    size_t len = valid_seq_at(s, i, &prefix);
    if (len == 0) return i;
    i += len;
  }
  return kValidUtf8;
}

void require_valid_utf8(std::string_view s, std::string_view what) {
  size_t bad = find_invalid_utf8(s);
  if (bad != kValidUtf8) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{} is not valid UTF-8: invalid byte 0x{:02X} at byte offset {}", what,
                     static_cast<unsigned char>(s[bad]), bad);
  }
}

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string first_chars(std::string_view s, size_t chars) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (seen++ == chars) return std::string(s.substr(0, i)) + "…";
  }
  return std::string(s);
}

std::string from_utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    size_t prefix;
    size_t len = valid_seq_at(bytes, i, &prefix);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      i += prefix;
    } else {
      out.append(bytes.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace ragrt::text

namespace ragrt {

// Mirrors tokenizers' BytesToCharOffsetConverter: starts map through the char containing the
// byte; an end at the very end of the text maps past the last char; unmappable offsets are
// returned unchanged.
std::vector<Offsets> to_char_offsets(std::string_view text, const std::vector<Offsets>& byte_offsets) {
  std::vector<uint32_t> char_of_byte(text.size());
  uint32_t ci = 0;
  for (size_t b = 0; b < text.size(); ++b) {
    if (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) != 0x80) ++ci;
    char_of_byte[b] = ci;
  }
  std::vector<Offsets> out;
  out.reserve(byte_offsets.size());
  const size_t total_chars = text.empty() ? 0 : static_cast<size_t>(ci) + 1;
  for (const auto& [s, e] : byte_offsets) {
    if (s == text.size() && e == text.size() && !text.empty()) {
      // An empty range at the very end: what byte-level offset trimming leaves of a trailing
      // token; the bindings, which trim in code points, report it at the char count.
      out.emplace_back(total_chars, total_chars);
      continue;
    }
    if (s >= text.size()) {
      out.emplace_back(s, e);
      continue;
    }
    size_t start = char_of_byte[s];
    size_t end;
    if (e < text.size()) {
      end = char_of_byte[e];
    } else if (e >= 1 && e - 1 < text.size()) {
      end = char_of_byte[e - 1] + 1;
    } else {
      end = start + 1;
    }
    out.emplace_back(start, end);
  }
  return out;
}

}  // namespace ragrt
