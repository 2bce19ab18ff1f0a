#pragma once
// Character classes with the exact semantics the Hugging Face crate uses. Two families exist there:
// Rust's std (`char::is_whitespace`, `is_numeric`, `is_alphanumeric`, `to_lowercase`, regex `\w`),
// which tracks current Unicode and is served here from utf8proc / PCRE2's tables, and the frozen
// `unicode_categories` crate (BertNormalizer, StripAccents, punctuation), served from tables
// generated against the reference implementation (unicode_categories.inc).
#include <cstdint>
#include <string>

namespace ragrt::text::unicode {

// Rust char::is_whitespace (the White_Space property).
inline bool is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_numeric(char32_t c);        // Rust char::is_numeric: Nd | Nl | No
bool is_alphabetic(char32_t c);     // Rust char::is_alphabetic: the Alphabetic property
inline bool is_alphanumeric(char32_t c) { return is_alphabetic(c) || is_numeric(c); }
bool is_regex_word(char32_t c);     // Rust regex / Oniguruma `\w`: Alphabetic|M|Nd|Pc|Join_Control

// unicode_categories crate, as used by tokenizers.
bool hf_is_other(char32_t c);            // Cc | Cf | Co (its tables; no Cn)
bool hf_is_mark_nonspacing(char32_t c);  // its Mn table (BertNormalizer's strip_accents)
bool hf_is_combining_mark(char32_t c);   // unicode-normalization's is_combining_mark (StripAccents)
bool hf_is_punctuation(char32_t c);      // P* from its tables
// BertPreTokenizer / Punctuation: char::is_ascii_punctuation || is_punctuation.
inline bool is_bert_punctuation(char32_t c) {
  if (c < 0x80) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
  }
  return hf_is_punctuation(c);
}

// Appends Rust's char::to_lowercase(c) (full mapping: U+0130 becomes two chars).
// Returns the number of chars appended.
int to_lowercase(char32_t c, char32_t out[3]);

}  // namespace ragrt::text::unicode
