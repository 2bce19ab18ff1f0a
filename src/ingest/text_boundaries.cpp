#include "ingest/text_boundaries.h"

#include <algorithm>

#include <utf8proc.h>

#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::ingest {
namespace {

struct CodePoint {
  size_t pos;
  char32_t c;
};

bool is_whitespace(char32_t c) { return text::unicode::is_whitespace(c); }

// Punctuation that ends a sentence. The ASCII ones only count when whitespace follows (so "3.14"
// and "example.com" stay whole); the CJK ones end a sentence wherever they stand, because CJK text
// has no spaces after them.
bool is_ascii_terminator(char32_t c) { return c == '.' || c == '!' || c == '?'; }
bool is_cjk_terminator(char32_t c) {
  switch (c) {
    case U'\u3002':  // 。
    case U'\uFF61':  // ｡ halfwidth
    case U'\uFF01':  // ！
    case U'\uFF1F':  // ？
    case U'\uFF1B':  // ；
    case U'\uFF0E':  // ．
    case U'\u2026':  // …
      return true;
    default:
      return false;
  }
}

// Closing quotes and brackets that belong to the sentence they follow: 。” and ." end after the quote.
bool is_closer(char32_t c) {
  switch (c) {
    case '"': case '\'': case ')': case ']': case '}':
    case U'\u2019': case U'\u201D': case U'\u00BB': case U'\u203A':  // ’ ” » ›
    case U'\u300D': case U'\u300F': case U'\u3009': case U'\u300B':  // 」 』 〉 》
    case U'\u3011': case U'\u3015': case U'\u3017': case U'\u3019':  // 】 〕 〗 〙
    case U'\uFF09': case U'\uFF3D': case U'\uFF5D': case U'\uFF02': case U'\uFF07':  // ） ］ ｝ ＂ ＇
      return true;
    default:
      return false;
  }
}

bool is_line_break(char32_t c) { return c == '\n' || c == '\r' || c == 0x0B || c == 0x85 || c == 0x2028; }
bool is_paragraph_separator(char32_t c) { return c == '\f' || c == 0x2029; }

void raise(std::vector<int8_t>& rank, size_t p, BreakRank r) {
  if (rank[p] != kNoBreak && rank[p] < r) rank[p] = r;
}

}  // namespace

bool is_cjk(char32_t c) {
  return (c >= 0x1100 && c <= 0x11FF) ||    // Hangul Jamo
         (c >= 0x2E80 && c <= 0x2FDF) ||    // CJK radicals, Kangxi radicals
         (c >= 0x3000 && c <= 0x303F) ||    // CJK symbols and punctuation
         (c >= 0x3040 && c <= 0x30FF) ||    // Hiragana, Katakana
         (c >= 0x3100 && c <= 0x31FF) ||    // Bopomofo, Hangul compatibility jamo, Katakana ext.
         (c >= 0x3400 && c <= 0x4DBF) ||    // CJK extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||    // CJK unified ideographs
         (c >= 0xAC00 && c <= 0xD7AF) ||    // Hangul syllables
         (c >= 0xF900 && c <= 0xFAFF) ||    // CJK compatibility ideographs
         (c >= 0xFE30 && c <= 0xFE4F) ||    // CJK compatibility forms
         (c >= 0xFF00 && c <= 0xFFEF) ||    // halfwidth and fullwidth forms
         (c >= 0x20000 && c <= 0x3FFFF);    // CJK extensions B and later
}

TextBoundaries find_text_boundaries(std::string_view text, const std::vector<Section>& sections,
                                    const std::vector<Page>& pages) {
  const size_t n = text.size();
  TextBoundaries out;
  out.rank.assign(n + 1, kNoBreak);
  out.heading.assign(n + 1, 0);
  auto& rank = out.rank;

  std::vector<CodePoint> cps;
  cps.reserve(n);
  for (size_t i = 0; i < n;) {
    size_t pos = i;
    char32_t c = text::decode_utf8(text.data(), i);
    cps.push_back({pos, c});
  }
  auto pos_of = [&](size_t i) { return i < cps.size() ? cps[i].pos : n; };

  // Every code point boundary is a (last-resort) cut; grapheme boundaries are better ones, so a
  // forced cut inside a giant word keeps "e" + combining accent or an emoji ZWJ sequence whole.
  for (size_t i = 0; i <= cps.size(); ++i) rank[pos_of(i)] = kCodepoint;
  rank[0] = kSection;
  rank[n] = kSection;
  std::vector<uint8_t> grapheme_break(cps.size() + 1, 1);
  int32_t state = 0;
  for (size_t i = 1; i < cps.size(); ++i) {
    bool brk = utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(cps[i - 1].c),
                                                static_cast<utf8proc_int32_t>(cps[i].c), &state);
    grapheme_break[i] = brk ? 1 : 0;
    if (brk) raise(rank, cps[i].pos, kGrapheme);
  }

  // Whitespace runs: the whole run is one break whose rank depends on the line breaks it holds and
  // on what precedes it. Every position inside the run gets that rank; which one the splitter uses
  // depends on where the tokenizer's tokens allow a cut (byte-level BPE glues a space to the next
  // word), and the run is stripped from the chunk edges anyway.
  for (size_t i = 0; i < cps.size();) {
    if (!is_whitespace(cps[i].c)) {
      ++i;
      continue;
    }
    size_t j = i;
    int line_breaks = 0;
    bool paragraph = false;
    for (; j < cps.size() && is_whitespace(cps[j].c); ++j) {
      char32_t c = cps[j].c;
      if (is_paragraph_separator(c)) paragraph = true;
      // \r\n is one line break.
      if (is_line_break(c) && !(c == '\r' && j + 1 < cps.size() && cps[j + 1].c == '\n')) ++line_breaks;
    }
    BreakRank r = paragraph || line_breaks >= 2 ? kParagraph : line_breaks == 1 ? kLine : kWord;
    if (r < kSentence && i > 0) {
      size_t k = i;
      while (k > 0 && is_closer(cps[k - 1].c)) --k;
      if (k > 0 && (is_ascii_terminator(cps[k - 1].c) || is_cjk_terminator(cps[k - 1].c))) r = kSentence;
    }
    for (size_t k = i; k <= j; ++k) raise(rank, pos_of(k), r);
    i = j;
  }

  // Sentence ends inside CJK text: after a run of terminators (！？, ……) and the closers after it.
  for (size_t i = 0; i < cps.size();) {
    if (!is_cjk_terminator(cps[i].c)) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < cps.size() && (is_cjk_terminator(cps[j].c) || is_ascii_terminator(cps[j].c))) ++j;
    while (j < cps.size() && is_closer(cps[j].c)) ++j;
    raise(rank, pos_of(j), kSentence);
    i = j;
  }

  // CJK scripts have no spaces: every boundary touching one of their characters is a word boundary.
  for (size_t i = 1; i < cps.size(); ++i) {
    char32_t a = cps[i - 1].c, b = cps[i].c;
    if (!grapheme_break[i] || is_whitespace(a) || is_whitespace(b)) continue;
    if (is_cjk(a) || is_cjk(b)) raise(rank, cps[i].pos, kWord);
  }

  // Section and page boundaries, widened over the whitespace on both sides so that a cut exists
  // there whatever the tokenizer glued to the whitespace.
  auto mark_structural = [&](size_t q, bool is_heading) {
    if (q > n) return;
    while (q > 0 && q < n && (static_cast<unsigned char>(text[q]) & 0xC0) == 0x80) --q;
    size_t lo = q, hi = q;
    while (lo > 0) {
      size_t prev = text::prev_char_start(text, lo);
      if (!is_whitespace(text::decode_utf8_at(text, prev))) break;
      lo = prev;
    }
    while (hi < n) {
      size_t next = hi;
      if (!is_whitespace(text::decode_utf8(text.data(), next))) break;
      hi = next;
    }
    for (size_t p = lo; p <= hi; ++p) {
      if (rank[p] == kNoBreak) continue;
      rank[p] = kSection;
      if (is_heading) out.heading[p] = 1;
    }
  };
  for (const auto& s : sections) {
    mark_structural(s.begin, true);
    mark_structural(s.end, false);
  }
  for (const auto& pg : pages) {
    mark_structural(pg.begin, false);
    mark_structural(pg.end, false);
  }
  return out;
}

}  // namespace ragrt::ingest
