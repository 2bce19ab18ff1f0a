#include "index/keyword_text.h"

#include <utf8proc.h>

namespace ragrt::index {

namespace {

bool is_cjk(utf8proc_int32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2EBEF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0xAC00 && c <= 0xD7AF);
}

// unicode61 keeps letters, numbers and (with remove_diacritics) combining marks in tokens.
bool is_token_char(utf8proc_int32_t c) {
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_CO:
      return true;
    default:
      return false;
  }
}

struct CodePoint {
  utf8proc_int32_t value;
  size_t begin;
  size_t end;
};

// Decodes `text`; invalid bytes become U+FFFD covering one byte (they are not token characters).
std::vector<CodePoint> decode(std::string_view text) {
  std::vector<CodePoint> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t c = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                              static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) {
      out.push_back({0xFFFD, i, i + 1});
      ++i;
    } else {
      out.push_back({c, i, i + static_cast<size_t>(n)});
      i += static_cast<size_t>(n);
    }
  }
  return out;
}

// Calls `emit(term)` for each CJK bigram of cps[b, e) (or the single character when e - b == 1).
template <typename Emit>
void cjk_terms(std::string_view text, const std::vector<CodePoint>& cps, size_t b, size_t e, Emit&& emit) {
  if (e - b == 1) {
    emit(text.substr(cps[b].begin, cps[b].end - cps[b].begin));
    return;
  }
  for (size_t k = b; k + 1 < e; ++k) emit(text.substr(cps[k].begin, cps[k + 1].end - cps[k].begin));
}

}  // namespace

std::string keyword_document_text(std::string_view text) {
  std::vector<CodePoint> cps = decode(text);
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  size_t i = 0;
  while (i < cps.size()) {
    if (!is_cjk(cps[i].value)) {
      out.append(text.substr(cps[i].begin, cps[i].end - cps[i].begin));
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && is_cjk(cps[j].value)) ++j;
    out += ' ';
    cjk_terms(text, cps, i, j, [&](std::string_view term) {
      out.append(term);
      out += ' ';
    });
    i = j;
  }
  return out;
}

std::vector<std::string> keyword_query_terms(std::string_view query) {
  std::vector<CodePoint> cps = decode(query);
  std::vector<std::string> terms;
  size_t i = 0;
  while (i < cps.size()) {
    if (is_cjk(cps[i].value)) {
      size_t j = i;
      while (j < cps.size() && is_cjk(cps[j].value)) ++j;
      cjk_terms(query, cps, i, j, [&](std::string_view term) { terms.emplace_back(term); });
      i = j;
    } else if (is_token_char(cps[i].value)) {
      size_t j = i;
      while (j < cps.size() && is_token_char(cps[j].value) && !is_cjk(cps[j].value)) ++j;
      terms.emplace_back(query.substr(cps[i].begin, cps[j - 1].end - cps[i].begin));
      i = j;
    } else {
      ++i;
    }
  }
  return terms;
}

std::string fts5_match_expression(const std::vector<std::string>& terms) {
  std::string out;
  for (const std::string& term : terms) {
    if (!out.empty()) out += " OR ";
    out += '"';
    for (char c : term) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace ragrt::index
