#include "template/jinja_lexer.h"

#include <array>
#include <utility>

#include "template/jinja_js.h"
#include "text/utf8.h"

namespace ragrt::jinja {
namespace {

// Text plus, for every byte, the offset in the original source it came from (one extra entry
// for the end), so pre-processing does not lose error positions.
struct MappedText {
  std::string text;
  std::vector<size_t> origin;

  void append(const MappedText& from, size_t begin, size_t end) {
    text.append(from.text, begin, end - begin);
    origin.insert(origin.end(), from.origin.begin() + static_cast<std::ptrdiff_t>(begin),
                  from.origin.begin() + static_cast<std::ptrdiff_t>(end));
  }
  void finish(const MappedText& from) { origin.push_back(from.origin.back()); }
};

bool is_line_start(const std::string& s, size_t i) {
  if (i == 0 || s[i - 1] == '\n' || s[i - 1] == '\r') return true;
  // U+2028 / U+2029 end lines for a multiline JavaScript regex too.
  return i >= 3 && s.compare(i - 3, 2, "\xE2\x80") == 0 && (s[i - 1] == '\xA8' || s[i - 1] == '\xA9');
}

// template.replace(/^[ \t]*({[#%-])/gm, "$1")
MappedText lstrip_blocks(const MappedText& in) {
  MappedText out;
  const std::string& s = in.text;
  for (size_t i = 0; i < s.size();) {
    if (is_line_start(s, i)) {
      size_t j = i;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      if (j + 1 < s.size() && s[j] == '{' && (s[j + 1] == '#' || s[j + 1] == '%' || s[j + 1] == '-')) {
        out.append(in, j, j + 2);
        i = j + 2;
        continue;
      }
    }
    out.append(in, i, i + 1);
    ++i;
  }
  out.finish(in);
  return out;
}

// template.replace(/([#%-]})\n/g, "$1")
MappedText trim_blocks(const MappedText& in) {
  MappedText out;
  const std::string& s = in.text;
  for (size_t i = 0; i < s.size(); ++i) {
    bool after_tag = i >= 2 && s[i - 1] == '}' && (s[i - 2] == '#' || s[i - 2] == '%' || s[i - 2] == '-');
    if (s[i] == '\n' && after_tag) continue;
    out.append(in, i, i + 1);
  }
  out.finish(in);
  return out;
}

size_t skip_spaces(const std::string& s, size_t i) {
  while (size_t n = js::space_at(s, i)) i += n;
  return i;
}

// Length of a `{%-? (end)?generation -?%}` tag at s[i] (0 if none) and its two `-` flags.
size_t generation_tag(const std::string& s, size_t i, bool* lstrip, bool* rstrip) {
  if (s.compare(i, 2, "{%") != 0) return 0;
  size_t j = i + 2;
  *lstrip = j < s.size() && s[j] == '-';
  if (*lstrip) ++j;
  j = skip_spaces(s, j);
  if (s.compare(j, 3, "end") == 0 && s.compare(j + 3, 10, "generation") == 0) j += 3;
  if (s.compare(j, 10, "generation") != 0) return 0;
  j = skip_spaces(s, j + 10);
  *rstrip = j < s.size() && s[j] == '-';
  if (*rstrip) ++j;
  if (s.compare(j, 2, "%}") != 0) return 0;
  return j + 2 - i;
}

// transformers' {% generation %} markers only matter for training masks: the oracle removes them,
// with the surrounding whitespace unless a `-` asks to strip it.
// template.replace(/(\s*){%(-?)\s*(?:end)?generation\s*(-?)%}(\s*)/gs, ...)
MappedText drop_generation_tags(const MappedText& in) {
  MappedText out;
  const std::string& s = in.text;
  size_t copied = 0;  // everything before this offset is in `out` or was dropped
  for (size_t i = 0; i < s.size(); ++i) {
    bool lstrip = false, rstrip = false;
    size_t len = s[i] == '{' ? generation_tag(s, i, &lstrip, &rstrip) : 0;
    if (len == 0) continue;
    size_t before = i;  // leading whitespace run, not reaching back into an earlier match
    while (before > copied) {
      size_t prev = text::prev_char_start(s, before);
      if (js::space_at(s, prev) == 0) break;
      before = prev;
    }
    size_t after_end = skip_spaces(s, i + len);
    out.append(in, copied, lstrip ? before : i);
    if (!rstrip) out.append(in, i + len, after_end);
    copied = after_end;
    i = after_end - 1;
  }
  out.append(in, copied, s.size());
  out.finish(in);
  return out;
}

MappedText preprocess(std::string_view source) {
  MappedText t;
  t.text = std::string(source);
  for (size_t i = 0; i <= t.text.size(); ++i) t.origin.push_back(i);
  if (!t.text.empty() && t.text.back() == '\n') {
    t.text.pop_back();
    t.origin.pop_back();
  }
  return drop_generation_tags(trim_blocks(lstrip_blocks(t)));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

const std::array<std::pair<std::string_view, TokenType>, 29> kOrderedMappingTable = {{
    {"{%", TokenType::kOpenStatement},
    {"%}", TokenType::kCloseStatement},
    {"{{", TokenType::kOpenExpression},
    {"}}", TokenType::kCloseExpression},
    {"(", TokenType::kOpenParen},
    {")", TokenType::kCloseParen},
    {"{", TokenType::kOpenCurlyBracket},
    {"}", TokenType::kCloseCurlyBracket},
    {"[", TokenType::kOpenSquareBracket},
    {"]", TokenType::kCloseSquareBracket},
    {",", TokenType::kComma},
    {".", TokenType::kDot},
    {":", TokenType::kColon},
    {"|", TokenType::kPipe},
    {"<=", TokenType::kComparisonBinaryOperator},
    {">=", TokenType::kComparisonBinaryOperator},
    {"==", TokenType::kComparisonBinaryOperator},
    {"!=", TokenType::kComparisonBinaryOperator},
    {"<", TokenType::kComparisonBinaryOperator},
    {">", TokenType::kComparisonBinaryOperator},
    {"+", TokenType::kAdditiveBinaryOperator},
    {"-", TokenType::kAdditiveBinaryOperator},
    {"~", TokenType::kAdditiveBinaryOperator},
    {"**", TokenType::kExponentiationBinaryOperator},
    {"*", TokenType::kMultiplicativeBinaryOperator},
    {"//", TokenType::kMultiplicativeBinaryOperator},
    {"/", TokenType::kMultiplicativeBinaryOperator},
    {"%", TokenType::kMultiplicativeBinaryOperator},
    {"=", TokenType::kEquals},
}};

class Lexer {
 public:
  explicit Lexer(MappedText src) : m_(std::move(src)), s_(m_.text) {}

  std::vector<Token> run() {
    while (pos_ < s_.size()) step();
    return std::move(tokens_);
  }

 private:
  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  bool starts(std::string_view seq) const { return s_.compare(pos_, seq.size(), seq) == 0; }
  size_t origin(size_t i) const { return m_.origin[std::min(i, s_.size())]; }
  [[noreturn]] void fail(const std::string& message, size_t i) const { throw SyntaxError(message, origin(i)); }
  bool last_is(TokenType t) const { return !tokens_.empty() && tokens_.back().type == t; }
  void push(TokenType type, std::string value, size_t start) {
    tokens_.push_back({type, std::move(value), origin(start)});
  }

  // {%- / {{- / {#-: the text before loses its trailing whitespace.
  void strip_trailing_whitespace() {
    if (tokens_.empty() || tokens_.back().type != TokenType::kText) return;
    tokens_.back().value = js::trim_end(tokens_.back().value);
    if (tokens_.back().value.empty()) tokens_.pop_back();
  }
  void skip_leading_whitespace() { pos_ = skip_spaces(s_, pos_); }

  // consumeWhile for digits and word characters: running into the end of the source is an error
  // there (the oracle reads on past it).
  template <class Pred>
  std::string consume_while(Pred pred) {
    size_t start = pos_;
    while (pos_ < s_.size() && pred(s_[pos_])) {
      if (++pos_ >= s_.size()) fail("Unexpected end of input", pos_);
    }
    return s_.substr(start, pos_ - start);
  }

  void append_unit(std::u16string& out, char32_t c) {
    if (c >= 0x10000) {
      out.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(c));
    }
  }

  static std::string to_utf8(const std::u16string& units) {
    std::string out;
    for (size_t i = 0; i < units.size(); ++i) {
      char32_t c = units[i];
      if (c >= 0xD800 && c < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (units[++i] - 0xDC00);
      } else if (c >= 0xD800 && c < 0xE000) {
        c = 0xFFFD;  // a lone surrogate from \u escapes: what Node writes for it
      }
      text::append_utf8(out, c);
    }
    return out;
  }

  // The body of a quoted string, escapes resolved; pos_ is just past the opening quote.
  std::string string_body(char quote) {
    std::u16string units;
    while (true) {
      if (pos_ >= s_.size()) fail("Unexpected end of input", pos_);
      char c = s_[pos_];
      if (c == quote) break;
      if (c == '\\') {
        size_t backslash = pos_;
        if (++pos_ >= s_.size()) fail("Unexpected end of input", pos_);
        size_t i = pos_;
        char32_t escaped = text::decode_utf8(s_.data(), i);
        pos_ = i;
        if (escaped == 'x' || escaped == 'u') {
          size_t length = escaped == 'x' ? 2 : 4;
          std::string hex = s_.substr(pos_, length);
          bool valid = hex.size() == length &&
                       hex.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
          if (!valid) fail("Invalid hexadecimal escape sequence: \\" + std::string(1, static_cast<char>(escaped)) + hex, backslash);
          units.push_back(static_cast<char16_t>(std::stoul(hex, nullptr, 16)));
          pos_ += length;
          continue;
        }
        static constexpr std::pair<char, char> kEscapes[] = {{'n', '\n'}, {'t', '\t'}, {'r', '\r'}, {'b', '\b'},
                                                             {'f', '\f'}, {'v', '\v'}, {'\'', '\''}, {'"', '"'},
                                                             {'\\', '\\'}};
        bool known = false;
        for (auto [from, to] : kEscapes) {
          if (escaped == static_cast<char32_t>(from)) {
            units.push_back(static_cast<char16_t>(to));
            known = true;
          }
        }
        if (!known) fail("Unexpected escaped character: " + text::utf8_of(escaped), backslash);
        continue;
      }
      size_t i = pos_;
      append_unit(units, text::decode_utf8(s_.data(), i));
      pos_ = i;
      if (pos_ >= s_.size()) fail("Unexpected end of input", pos_);
    }
    return to_utf8(units);
  }

  void step() {
    size_t start = pos_;
    // Outside a tag: text up to the next {% {{ or {#.
    if (tokens_.empty() || last_is(TokenType::kCloseStatement) || last_is(TokenType::kCloseExpression) ||
        last_is(TokenType::kComment)) {
      while (pos_ < s_.size() && !(s_[pos_] == '{' && (at(pos_ + 1) == '%' || at(pos_ + 1) == '{' || at(pos_ + 1) == '#'))) {
        ++pos_;
      }
      if (pos_ > start) {
        push(TokenType::kText, s_.substr(start, pos_ - start), start);
        return;
      }
    }

    if (starts("{#")) {
      pos_ += 2;
      bool strip_before = at(pos_) == '-';
      if (strip_before) ++pos_;
      size_t body = pos_;
      while (at(pos_) != '#' || at(pos_ + 1) != '}') {
        if (pos_ + 2 >= s_.size()) fail("Missing end of comment tag", start);
        ++pos_;
      }
      std::string comment = s_.substr(body, pos_ - body);
      bool strip_after = !comment.empty() && comment.back() == '-';
      if (strip_after) comment.pop_back();
      if (strip_before) strip_trailing_whitespace();
      push(TokenType::kComment, std::move(comment), start);
      pos_ += 2;
      if (strip_after) skip_leading_whitespace();
      return;
    }
    if (starts("{%-")) {
      strip_trailing_whitespace();
      push(TokenType::kOpenStatement, "{%", start);
      pos_ += 3;
      return;
    }
    if (starts("{{-")) {
      strip_trailing_whitespace();
      push(TokenType::kOpenExpression, "{{", start);
      curly_depth_ = 0;
      pos_ += 3;
      return;
    }

    // Whitespace inside a tag separates tokens; running into the end of the source is an error.
    while (size_t n = js::space_at(s_, pos_)) {
      pos_ += n;
      if (pos_ >= s_.size()) fail("Unexpected end of input", pos_);
    }
    start = pos_;
    if (starts("-%}")) {
      push(TokenType::kCloseStatement, "%}", start);
      pos_ += 3;
      skip_leading_whitespace();
      return;
    }
    if (starts("-}}")) {
      push(TokenType::kCloseExpression, "}}", start);
      pos_ += 3;
      skip_leading_whitespace();
      return;
    }

    char c = s_[pos_];
    if (c == '-' || c == '+') {
      TokenType last = tokens_.empty() ? TokenType::kText : tokens_.back().type;
      if (last == TokenType::kText) fail(std::string("Unexpected character: ") + c, pos_);
      bool binary = last == TokenType::kIdentifier || last == TokenType::kNumericLiteral ||
                    last == TokenType::kStringLiteral || last == TokenType::kCloseParen ||
                    last == TokenType::kCloseSquareBracket;
      if (!binary) {
        ++pos_;
        std::string num = consume_while(is_digit);
        if (!num.empty() && at(pos_) == '.' && is_digit(at(pos_ + 1))) {
          ++pos_;
          num += "." + consume_while(is_digit);
        }
        push(num.empty() ? TokenType::kUnaryOperator : TokenType::kNumericLiteral, c + num, start);
        return;
      }
    }

    for (const auto& [seq, type] : kOrderedMappingTable) {
      if (seq == "}}" && curly_depth_ > 0) continue;  // closes a dict literal, not the expression
      if (!starts(seq)) continue;
      push(type, std::string(seq), start);
      if (type == TokenType::kOpenExpression) curly_depth_ = 0;
      if (type == TokenType::kOpenCurlyBracket) ++curly_depth_;
      if (type == TokenType::kCloseCurlyBracket) --curly_depth_;
      pos_ += seq.size();
      return;
    }

    if (c == '\'' || c == '"') {
      ++pos_;
      std::string value = string_body(c);
      ++pos_;
      push(TokenType::kStringLiteral, std::move(value), start);
      return;
    }
    if (is_digit(c)) {
      std::string num = consume_while(is_digit);
      if (!last_is(TokenType::kDot) && at(pos_) == '.' && is_digit(at(pos_ + 1))) {
        ++pos_;
        num += "." + consume_while(is_digit);
      }
      push(TokenType::kNumericLiteral, std::move(num), start);
      return;
    }
    if (is_word(c)) {
      push(TokenType::kIdentifier, consume_while(is_word), start);
      return;
    }
    size_t i = pos_;
    fail("Unexpected character: " + text::utf8_of(text::decode_utf8(s_.data(), i)), pos_);
  }

  MappedText m_;
  const std::string& s_;
  size_t pos_ = 0;
  int curly_depth_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

const char* token_type_name(TokenType t) {
  switch (t) {
    case TokenType::kText: return "Text";
    case TokenType::kNumericLiteral: return "NumericLiteral";
    case TokenType::kStringLiteral: return "StringLiteral";
    case TokenType::kIdentifier: return "Identifier";
    case TokenType::kEquals: return "Equals";
    case TokenType::kOpenParen: return "OpenParen";
    case TokenType::kCloseParen: return "CloseParen";
    case TokenType::kOpenStatement: return "OpenStatement";
    case TokenType::kCloseStatement: return "CloseStatement";
    case TokenType::kOpenExpression: return "OpenExpression";
    case TokenType::kCloseExpression: return "CloseExpression";
    case TokenType::kOpenSquareBracket: return "OpenSquareBracket";
    case TokenType::kCloseSquareBracket: return "CloseSquareBracket";
    case TokenType::kOpenCurlyBracket: return "OpenCurlyBracket";
    case TokenType::kCloseCurlyBracket: return "CloseCurlyBracket";
    case TokenType::kComma: return "Comma";
    case TokenType::kDot: return "Dot";
    case TokenType::kColon: return "Colon";
    case TokenType::kPipe: return "Pipe";
    case TokenType::kAdditiveBinaryOperator: return "AdditiveBinaryOperator";
    case TokenType::kMultiplicativeBinaryOperator: return "MultiplicativeBinaryOperator";
    case TokenType::kExponentiationBinaryOperator: return "ExponentiationBinaryOperator";
    case TokenType::kComparisonBinaryOperator: return "ComparisonBinaryOperator";
    case TokenType::kUnaryOperator: return "UnaryOperator";
    case TokenType::kComment: return "Comment";
  }
  return "Unknown";
}

std::vector<Token> tokenize(std::string_view source) { return Lexer(preprocess(source)).run(); }

}  // namespace ragrt::jinja
