#pragma once
// The JavaScript semantics @huggingface/jinja inherits from its host and that show up in rendered
// chat templates: UTF-16 string lengths and indexing, the ECMAScript whitespace set, full case
// mapping, Number-to-string conversion, JSON.stringify quoting, loose number parsing and the ICU
// root collation behind String.prototype.localeCompare. Strings here are valid UTF-8 (inputs are
// sanitised on the way in), so a JavaScript string operation maps onto code points, except where
// the oracle works on UTF-16 code units (length, at()), which these helpers reproduce.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::jinja::js {

// ECMAScript WhiteSpace + LineTerminator: what /\s/ and String.prototype.trim use.
bool is_space(char32_t c);
// A JavaScript whitespace code point starting at s[i]: its byte length, or 0.
size_t space_at(std::string_view s, size_t i);

std::string trim_start(std::string_view s);
std::string trim_end(std::string_view s);
std::string trim(std::string_view s);

size_t utf16_length(std::string_view s);
// String.prototype.at: the UTF-16 code unit at `index` (negative counts from the end); a lone
// surrogate comes back as U+FFFD, as Node writes it.
std::optional<std::string> utf16_at(std::string_view s, double index);
// Array.from(string): the code points.
std::vector<std::string> code_points(std::string_view s);

// String.prototype.toUpperCase / toLowerCase (full mappings, final sigma).
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

// Number.prototype.toString() (shortest round-trip digits, ECMAScript layout).
std::string number_to_string(double v);
// ToNumber(string), used by loose equality: NaN when the string is not a number.
double string_to_number(std::string_view s);
// parseInt(s, 10) and parseFloat(s): nullopt where JavaScript returns NaN.
std::optional<double> parse_int(std::string_view s);
std::optional<double> parse_float(std::string_view s);

// JSON.stringify(string); with `ensure_ascii` every UTF-16 unit from U+007F up is escaped.
std::string json_quote(std::string_view s, bool ensure_ascii);

// a.localeCompare(b) under Node's default (ICU root) collation: exact for ASCII, code point
// order for other characters.
int locale_compare(std::string_view a, std::string_view b);

}  // namespace ragrt::jinja::js
