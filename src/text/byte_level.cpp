#include "text/byte_level.h"

#include "text/utf8.h"

namespace ragrt::text {

const ByteLevelTables& byte_level_tables() {
  static const ByteLevelTables tables = [] {
    ByteLevelTables t{};
    t.char_to_byte.fill(-1);
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
      t.byte_to_char[b] = c;
      t.byte_to_utf8[b] = utf8_of(c);
      t.char_to_byte[c] = static_cast<int16_t>(b);
    }
    return t;
  }();
  return tables;
}

void byte_level_encode(NormalizedString& s) {
  const auto& t = byte_level_tables();
  s.expand_chars([&](char32_t c, std::string& out) {
    if (c < 0x80) {
      out += t.byte_to_utf8[c];
      return;
    }
    unsigned char buf[4];
    size_t len = 0;
    if (c < 0x800) {
      buf[len++] = static_cast<unsigned char>(0xC0 | (c >> 6));
    } else if (c < 0x10000) {
      buf[len++] = static_cast<unsigned char>(0xE0 | (c >> 12));
      buf[len++] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
    } else {
      buf[len++] = static_cast<unsigned char>(0xF0 | (c >> 18));
      buf[len++] = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F));
      buf[len++] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
    }
    buf[len++] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    for (size_t k = 0; k < len; ++k) out += t.byte_to_utf8[buf[k]];
  });
}

}  // namespace ragrt::text
