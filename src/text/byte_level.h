#pragma once
// GPT-2's reversible byte <-> printable char mapping used by the ByteLevel components.
#include <array>
#include <cstdint>
#include <string>

#include "text/normalized_string.h"

namespace ragrt::text {

struct ByteLevelTables {
  std::array<char32_t, 256> byte_to_char;
  std::array<std::string, 256> byte_to_utf8;  // byte_to_char, encoded
  std::array<int16_t, 0x144> char_to_byte;    // -1 where the char is not in the alphabet
};
const ByteLevelTables& byte_level_tables();

// Replaces every byte of the normalized string by its mapped char (each inheriting the alignment
// of the char the byte belongs to).
void byte_level_encode(NormalizedString& s);

}  // namespace ragrt::text
