#include "template/jinja_js.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <utf8proc.h>

#include "text/utf8.h"

namespace ragrt::jinja::js {
namespace {

using text::append_utf8;
using text::decode_utf8;

std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(decode_utf8(s.data(), i));
  return out;
}

// SpecialCasing.txt's unconditional expansions for toUpperCase that occur outside Greek
// iota-subscript letters (which keep their simple mapping here).
struct Expansion {
  char32_t from;
  char32_t to[3];
};
constexpr Expansion kUpperExpansions[] = {
    {0x00DF, {0x53, 0x53, 0}},         {0x0149, {0x2BC, 0x4E, 0}},        {0x01F0, {0x4A, 0x30C, 0}},
    {0x0390, {0x399, 0x308, 0x301}},   {0x03B0, {0x3A5, 0x308, 0x301}},   {0x0587, {0x535, 0x552, 0}},
    {0x1E96, {0x48, 0x331, 0}},        {0x1E97, {0x54, 0x308, 0}},        {0x1E98, {0x57, 0x30A, 0}},
    {0x1E99, {0x59, 0x30A, 0}},        {0x1E9A, {0x41, 0x2BE, 0}},        {0xFB00, {0x46, 0x46, 0}},
    {0xFB01, {0x46, 0x49, 0}},         {0xFB02, {0x46, 0x4C, 0}},         {0xFB03, {0x46, 0x46, 0x49}},
    {0xFB04, {0x46, 0x46, 0x4C}},      {0xFB05, {0x53, 0x54, 0}},         {0xFB06, {0x53, 0x54, 0}},
    {0xFB13, {0x544, 0x546, 0}},       {0xFB14, {0x544, 0x535, 0}},       {0xFB15, {0x544, 0x53B, 0}},
    {0xFB16, {0x54E, 0x546, 0}},       {0xFB17, {0x544, 0x53D, 0}},
};

bool is_cased(char32_t c) {
  auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
}

bool is_case_ignorable(char32_t c) {
  switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0x5E: case 0x60: case 0xA8: case 0xAD: case 0xAF:
    case 0xB4: case 0xB7: case 0xB8: case 0x2018: case 0x2019: case 0x2024: case 0x2027:
      return true;
    default:
      break;
  }
  auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
         cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

// ECMAScript's Final_Sigma condition for the capital sigma at cps[i].
bool final_sigma(const std::vector<char32_t>& cps, size_t i) {
  size_t j = i;
  while (j > 0 && is_case_ignorable(cps[j - 1])) --j;
  if (j == 0 || !is_cased(cps[j - 1])) return false;
  size_t k = i + 1;
  while (k < cps.size() && is_case_ignorable(cps[k])) ++k;
  return k == cps.size() || !is_cased(cps[k]);
}

// StrDecimalLiteral prefix length at s[i] (sign, digits, fraction, exponent); 0 when none.
size_t decimal_prefix(std::string_view s, size_t i, bool* infinity) {
  size_t start = i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (s.substr(i, 8) == "Infinity") {
    *infinity = true;
    return i + 8 - start;
  }
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1, frac = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j, ++frac;
    if (digits + frac > 0) {
      i = j;
      digits += frac;
    }
  }
  if (digits == 0) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t exp_digits = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j, ++exp_digits;
    if (exp_digits > 0) i = j;
  }
  return i - start;
}

double decimal_value(std::string_view literal, bool infinity) {
  if (infinity) return literal[0] == '-' ? -INFINITY : INFINITY;
  std::string copy(literal);
  return std::strtod(copy.c_str(), nullptr);
}

// Node's ICU root collation orders ASCII like this at the primary level (letters fold case).
constexpr std::string_view kAsciiCollation =
    "\t\n _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

struct CollationKey {
  std::vector<unsigned> primary;
  std::vector<unsigned char> tertiary;
};

CollationKey collation_key(std::string_view s) {
  CollationKey key;
  for (char32_t c : decode(s)) {
    if (c < 0x80) {
      char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      size_t pos = kAsciiCollation.find(lower);
      if (pos == std::string_view::npos) continue;  // other control characters are ignorable
      key.primary.push_back(static_cast<unsigned>(pos + 1));
      key.tertiary.push_back(c >= 'A' && c <= 'Z' ? 1 : 0);
    } else {
      auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
      key.primary.push_back(0x1000 + lower);
      key.tertiary.push_back(lower != c ? 1 : 0);
    }
  }
  return key;
}

}  // namespace

bool is_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

size_t space_at(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  size_t j = i;
  return is_space(decode_utf8(s.data(), j)) ? j - i : 0;
}

std::string trim_start(std::string_view s) {
  size_t i = 0;
  while (size_t n = space_at(s, i)) i += n;
  return std::string(s.substr(i));
}

std::string trim_end(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    size_t start = text::prev_char_start(s, end);
    if (space_at(s, start) == 0) break;
    end = start;
  }
  return std::string(s.substr(0, end));
}

std::string trim(std::string_view s) { return trim_end(trim_start(s)); }

size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) n += decode_utf8(s.data(), i) >= 0x10000 ? 2 : 1;
  return n;
}

std::optional<std::string> utf16_at(std::string_view s, double index) {
  auto length = static_cast<double>(utf16_length(s));
  double k = std::trunc(index);
  if (k < 0) k += length;
  if (!(k >= 0 && k < length)) return std::nullopt;
  auto target = static_cast<size_t>(k);
  size_t unit = 0;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t c = decode_utf8(s.data(), i);
    size_t width = c >= 0x10000 ? 2 : 1;
    if (target < unit + width) {
      if (width == 2) return std::string("\xEF\xBF\xBD");  // half of a surrogate pair
      return std::string(s.substr(start, i - start));
    }
    unit += width;
  }
  return std::nullopt;
}

std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    decode_utf8(s.data(), i);
    out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : decode(s)) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
      continue;
    }
    bool expanded = false;
    for (const auto& e : kUpperExpansions) {
      if (e.from != c) continue;
      for (char32_t t : e.to) {
        if (t) append_utf8(out, t);
      }
      expanded = true;
      break;
    }
    if (!expanded) append_utf8(out, static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c))));
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto cps = decode(s);
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    } else if (c == 0x130) {
      out += "i\xCC\x87";
    } else if (c == 0x3A3) {
      append_utf8(out, final_sigma(cps, i) ? 0x3C2 : 0x3C3);
    } else {
      append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

std::string number_to_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (v == 0) return "0";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  if (v < 0) return "-" + number_to_string(-v);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // d[.ddd]e±XX, shortest round-trip digits
  size_t e_pos = sci.find('e');
  std::string digits = sci.substr(0, 1) + (e_pos > 1 ? sci.substr(2, e_pos - 2) : "");
  int n = std::atoi(sci.c_str() + e_pos + 1) + 1;  // value = 0.digits * 10^n
  int k = static_cast<int>(digits.size());
  if (k <= n && n <= 21) return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21) return digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  std::string out = digits.substr(0, 1);
  if (k > 1) out += "." + digits.substr(1);
  out += n - 1 >= 0 ? "e+" : "e-";
  out += std::to_string(std::abs(n - 1));
  return out;
}

double string_to_number(std::string_view s) {
  std::string t = trim(s);
  if (t.empty()) return 0;
  if (t.size() > 2 && t[0] == '0') {
    int base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : (t[1] == 'b' || t[1] == 'B') ? 2 : 0;
    if (base) {
      double value = 0;
      for (size_t i = 2; i < t.size(); ++i) {
        char c = t[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
        if (d >= base) return NAN;
        value = value * base + d;
      }
      return value;
    }
  }
  bool infinity = false;
  size_t n = decimal_prefix(t, 0, &infinity);
  if (n == 0 || n != t.size()) return NAN;
  return decimal_value(t, infinity);
}

std::optional<double> parse_int(std::string_view s) {
  std::string t = trim_start(s);
  size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
  size_t start = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i == start) return std::nullopt;
  double value = std::strtod(t.substr(start, i - start).c_str(), nullptr);
  return negative ? -value : value;
}

std::optional<double> parse_float(std::string_view s) {
  std::string t = trim_start(s);
  bool infinity = false;
  size_t n = decimal_prefix(t, 0, &infinity);
  if (n == 0) return std::nullopt;
  return decimal_value(std::string_view(t).substr(0, n), infinity);
}

std::string json_quote(std::string_view s, bool ensure_ascii) {
  std::string out = "\"";
  char buf[16];
  auto unit_escape = [&](unsigned unit) {
    std::snprintf(buf, sizeof buf, "\\u%04x", unit);
    out += buf;
  };
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t c = decode_utf8(s.data(), i);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20) {
      unit_escape(c);
    } else if (ensure_ascii && c >= 0x7F) {
      if (c >= 0x10000) {
        unit_escape(0xD800 + ((c - 0x10000) >> 10));
        unit_escape(0xDC00 + ((c - 0x10000) & 0x3FF));
      } else {
        unit_escape(c);
      }
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  out += '"';
  return out;
}

int locale_compare(std::string_view a, std::string_view b) {
  CollationKey ka = collation_key(a), kb = collation_key(b);
  if (ka.primary != kb.primary) return ka.primary < kb.primary ? -1 : 1;
  if (ka.tertiary != kb.tertiary) return ka.tertiary < kb.tertiary ? -1 : 1;
  return 0;
}

}  // namespace ragrt::jinja::js
