#pragma once
// Shared by the fuzz targets: what counts as an expected outcome and what is a finding.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "ragrt/error.h"

namespace ragrt::fuzz {

// A finding: print why and abort, so libFuzzer saves the input as a crash.
[[noreturn]] inline void fail(std::string_view why) {
  std::fprintf(stderr, "FUZZ FINDING: %.*s\n", static_cast<int>(why.size()), why.data());
  std::abort();
}

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF), written independently of
// src/text/utf8 so the two can disagree.
inline bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    unsigned cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace ragrt::fuzz
