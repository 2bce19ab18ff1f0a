#include "text/unicode.h"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "text/utf8.h"

namespace ragrt::text::unicode {

namespace {
struct CodepointRange {
  char32_t first, last;
};
#include "text/unicode_categories.inc"

template <size_t N>
bool in_ranges(const CodepointRange (&ranges)[N], char32_t c) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                             [](char32_t v, const CodepointRange& r) { return v < r.first; });
  if (it == std::begin(ranges)) return false;
  --it;
  return c <= it->last;
}

// Bitset over all code points, filled once from a PCRE2 property class: PCRE2 is the only library
// at hand that knows the Alphabetic property (utf8proc only has general categories).
class PropertySet {
 public:
  explicit PropertySet(const char* pcre_class) : bits_(0x110000 / 64 + 1, 0) {
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre_class), PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &err, &off, nullptr);
    if (!re) return;
    pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
    std::string buf;
    for (char32_t c = 0x80; c < 0x110000; ++c) {
      if (c >= 0xD800 && c < 0xE000) continue;
      buf.clear();
      append_utf8(buf, c);
      if (pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(buf.data()), buf.size(), 0, 0, md, nullptr) > 0)
        bits_[c >> 6] |= uint64_t{1} << (c & 63);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
  }
  bool contains(char32_t c) const { return c < 0x110000 && ((bits_[c >> 6] >> (c & 63)) & 1); }

 private:
  std::vector<uint64_t> bits_;
};

const PropertySet& alphabetic_set() {
  static const PropertySet set("\\p{Alphabetic}");
  return set;
}
const PropertySet& word_set() {
  static const PropertySet set("[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]");
  return set;
}
}  // namespace

bool is_numeric(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

bool is_alphabetic(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return alphabetic_set().contains(c);
}

bool is_regex_word(char32_t c) {
  if (c < 0x80) return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '_';
  return word_set().contains(c);
}

bool hf_is_other(char32_t c) { return in_ranges(kHfOtherRanges, c); }
bool hf_is_mark_nonspacing(char32_t c) { return c >= 0x300 && in_ranges(kHfMarkNonspacingRanges, c); }
bool hf_is_combining_mark(char32_t c) { return c >= 0x300 && in_ranges(kHfCombiningMarkRanges, c); }
bool hf_is_punctuation(char32_t c) { return in_ranges(kHfPunctuationRanges, c); }

int to_lowercase(char32_t c, char32_t out[3]) {
  if (c < 0x80) {
    out[0] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return 1;
  }
  if (c == 0x130) {  // SpecialCasing: İ lowercases to i + combining dot above
    out[0] = 'i';
    out[1] = 0x307;
    return 2;
  }
  out[0] = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
  return 1;
}

}  // namespace ragrt::text::unicode
