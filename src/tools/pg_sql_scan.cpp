#include "tools/pg_sql_scan.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "ragrt/error.h"

namespace ragrt::tools {

namespace {

bool ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || std::isdigit(c) || c == '$'; }
bool op_char(char c) { return c != 0 && std::strchr("+-*/<>=~!@#%^&|`?", c) != nullptr; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

class Scanner {
 public:
  Scanner(std::string_view s, bool named) : s_(s), named_(named) {}

  PgStatement run() {
    while (i_ < s_.size()) {
      if (skip_blank()) continue;
      if (s_[i_] == ';') {
        rest_is_blank();
        break;
      }
      token();
    }
    return std::move(out_);
  }

 private:
  char at(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  // Whitespace or a comment at i_: copied, skipped, true. Comments do not separate a name from '('.
  bool skip_blank() {
    const size_t start = i_;
    if (std::isspace(static_cast<unsigned char>(s_[i_]))) {
      ++i_;
    } else if (s_[i_] == '-' && at(i_ + 1) == '-') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    } else if (s_[i_] == '/' && at(i_ + 1) == '*') {
      int depth = 0;  // PostgreSQL's block comments nest
      do {
        if (i_ + 1 >= s_.size()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "has an unterminated /* comment");
        if (s_[i_] == '/' && s_[i_ + 1] == '*') {
          ++depth;
          i_ += 2;
        } else if (s_[i_] == '*' && s_[i_ + 1] == '/') {
          --depth;
          i_ += 2;
        } else {
          ++i_;
        }
      } while (depth > 0);
    } else {
      return false;
    }
    out_.sql.append(s_.substr(start, i_ - start));
    return true;
  }

  // After the first ';': anything but blanks and more ';' is a second statement.
  void rest_is_blank() {
    const size_t cut = out_.sql.size();
    while (i_ < s_.size()) {
      if (s_[i_] == ';') {
        ++i_;
      } else if (!skip_blank()) {
        out_.more_statements = true;
        break;
      }
    }
    out_.sql.resize(cut);
  }

  // Up to and including the closing `quote`, a doubled one standing for itself; `backslash`: \x
  // escapes the next character (E'…' strings).
  void quoted(char quote, bool backslash, const char* what) {
    ++i_;
    while (true) {
      if (i_ >= s_.size()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "has an unterminated {}", what);
      const char c = s_[i_++];
      if (backslash && c == '\\') {
        ++i_;
      } else if (c == quote) {
        if (at(i_) != quote) return;
        ++i_;
      }
    }
  }

  // A $tag$ at i_ (tag possibly empty): its length, else 0.
  size_t dollar_tag() const {
    size_t k = i_ + 1;
    if (at(k) != '$') {
      if (!ident_start(static_cast<unsigned char>(at(k)))) return 0;
      while (k < s_.size() && ident_char(static_cast<unsigned char>(s_[k])) && s_[k] != '$') ++k;
      if (at(k) != '$') return 0;
    }
    return k + 1 - i_;
  }

  void token() {
    const size_t start = i_;
    const char c = s_[i_];
    const auto uc = static_cast<unsigned char>(c);
    bool is_ident = false;
    if (c == '\'') {
      quoted('\'', false, "quoted string");
    } else if (c == '"') {
      quoted('"', false, "quoted identifier");
      std::string name(s_.substr(start + 1, i_ - start - 2));
      for (size_t p = name.find("\"\""); p != std::string::npos; p = name.find("\"\"", p + 1)) name.erase(p, 1);
      ident_ = std::move(name);
      is_ident = true;
    } else if (ident_start(uc)) {
      while (i_ < s_.size() && ident_char(static_cast<unsigned char>(s_[i_]))) ++i_;
      const std::string word = lower(s_.substr(start, i_ - start));
      if (at(i_) == '\'' && (word == "e" || word == "b" || word == "x" || word == "n")) {
        quoted('\'', word == "e", "quoted string");
      } else if (word == "u" && at(i_) == '&' && (at(i_ + 1) == '\'' || at(i_ + 1) == '"')) {
        ++i_;
        const bool identifier = s_[i_] == '"';
        quoted(s_[i_], false, identifier ? "quoted identifier" : "quoted string");
        out_.unicode_identifier |= identifier;
      } else {
        if (!seen_token_ && out_.first_keyword.empty()) out_.first_keyword = word;
        ident_ = word;
        is_ident = true;
      }
    } else if (std::isdigit(uc)) {
      // Strictly a number, so that a name glued to it still reads as a name.
      while (std::isdigit(static_cast<unsigned char>(at(i_)))) ++i_;
      if (at(i_) == '.' && at(i_ + 1) != '.') {
        ++i_;
        while (std::isdigit(static_cast<unsigned char>(at(i_)))) ++i_;
      }
      if ((at(i_) == 'e' || at(i_) == 'E') &&
          (std::isdigit(static_cast<unsigned char>(at(i_ + 1))) ||
           ((at(i_ + 1) == '+' || at(i_ + 1) == '-') && std::isdigit(static_cast<unsigned char>(at(i_ + 2)))))) {
        i_ += 2;
        while (std::isdigit(static_cast<unsigned char>(at(i_)))) ++i_;
      }
    } else if (c == '$') {
      if (std::isdigit(static_cast<unsigned char>(at(i_ + 1)))) {
        ++i_;
        while (std::isdigit(static_cast<unsigned char>(at(i_)))) ++i_;
        if (out_.positional.empty()) out_.positional = std::string(s_.substr(start, i_ - start));
      } else if (const size_t tag = dollar_tag()) {
        const std::string_view close = s_.substr(start, tag);
        const size_t end = s_.find(close, start + tag);
        if (end == std::string_view::npos) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "has an unterminated dollar-quoted string");
        i_ = end + tag;
      } else {
        ++i_;
      }
    } else if (c == ':' && at(i_ + 1) == ':') {
      i_ += 2;
    } else if (c == ':' && named_ && ident_start(static_cast<unsigned char>(at(i_ + 1)))) {
      ++i_;
      while (i_ < s_.size() && ident_char(static_cast<unsigned char>(s_[i_])) && s_[i_] != '$') ++i_;
      parameter(std::string(s_.substr(start + 1, i_ - start - 1)));
      seen_token_ = true;
      last_ident_ = false;
      return;
    } else if (op_char(c)) {
      while (i_ < s_.size() && op_char(s_[i_]) && !(s_[i_] == '-' && at(i_ + 1) == '-') && !(s_[i_] == '/' && at(i_ + 1) == '*')) ++i_;
      if (i_ == start) ++i_;  // "--" / "/*" are comments, caught before; never loop
      out_.operators.emplace_back(s_.substr(start, i_ - start));
    } else {
      if (c == '(' && last_ident_) out_.called.push_back(ident_);
      ++i_;
    }
    out_.sql.append(s_.substr(start, i_ - start));
    if (c != '(') seen_token_ = true;
    last_ident_ = is_ident;
  }

  void parameter(const std::string& name) {
    auto it = std::find(out_.parameters.begin(), out_.parameters.end(), name);
    if (it == out_.parameters.end()) it = out_.parameters.insert(it, name);
    out_.sql += "$" + std::to_string(it - out_.parameters.begin() + 1);
  }

  std::string_view s_;
  bool named_;
  size_t i_ = 0;
  PgStatement out_;
  bool seen_token_ = false;  // a token other than '(' so far (the first keyword is settled)
  bool last_ident_ = false;  // the last token was a name (ident_)
  std::string ident_;
};

}  // namespace

PgStatement scan_pg_statement(std::string_view sql, bool named_parameters) {
  return Scanner(sql, named_parameters).run();
}

}  // namespace ragrt::tools
