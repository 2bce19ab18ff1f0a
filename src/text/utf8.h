#pragma once
// UTF-8 helpers shared by the tokenizer pipeline. Input is validated once, up front, so everything
// downstream may decode without re-checking.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ragrt::text {

inline constexpr size_t kValidUtf8 = static_cast<size_t>(-1);

// Returns kValidUtf8, or the byte offset of the first byte that does not start a well-formed
// UTF-8 sequence (overlongs, surrogates and code points above U+10FFFF are rejected, as Rust's
// `str` does).
size_t find_invalid_utf8(std::string_view s);

// Throws ragrt::Error (kInvalidArgument) naming the offending byte offset.
void require_valid_utf8(std::string_view s, std::string_view what = "text");

// Length of the sequence introduced by lead byte `b` (1 for continuation bytes, so loops progress).
inline size_t utf8_seq_len(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

inline size_t utf8_len(char32_t c) {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

// Decodes the code point starting at s[i] (which must be valid UTF-8) and advances i past it.
inline char32_t decode_utf8(const char* s, size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return c;
  }
  char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4;
  return c;
}

inline char32_t decode_utf8_at(std::string_view s, size_t i) { return decode_utf8(s.data(), i); }

// Start of the code point that ends right before byte `end` (end > 0).
inline size_t prev_char_start(std::string_view s, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

inline std::string utf8_of(char32_t c) {
  std::string s;
  append_utf8(s, c);
  return s;
}

size_t count_chars(std::string_view s);
// The first `chars` code points of `s`, with "…" added when anything was cut.
std::string first_chars(std::string_view s, size_t chars);

// Rust's String::from_utf8_lossy: every maximal invalid subsequence becomes U+FFFD.
std::string from_utf8_lossy(std::string_view bytes);

}  // namespace ragrt::text
