#include "text/normalized_string.h"

#include <algorithm>
#include <unordered_map>

#include <utf8proc.h>

#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt::text {

NormalizedString::NormalizedString(std::string_view original)
    : original_(original), normalized_(original) {
  alignments_.resize(original.size());
  size_t i = 0, n = original.size();
  while (i < n) {
    size_t len = utf8_seq_len(static_cast<unsigned char>(original[i]));
    if (i + len > n) len = n - i;
    Alignment a{static_cast<uint32_t>(i), static_cast<uint32_t>(i + len)};
    for (size_t k = 0; k < len; ++k) alignments_[i + k] = a;
    i += len;
  }
}

std::optional<std::pair<size_t, size_t>> NormalizedString::normalized_to_original(size_t start,
                                                                                  size_t end) const {
  // tokenizers returns empty ranges unconverted, and maps 0..0 of an empty string to everything.
  if (start == end) {
    if (normalized_.empty() && start == 0) return std::pair<size_t, size_t>{0, original_.size()};
    return std::pair<size_t, size_t>{start, end};
  }
  if (start > end || end > alignments_.size()) return std::nullopt;
  uint32_t lo = alignments_[start].start, hi = alignments_[start].end;
  for (size_t i = start + 1; i < end; ++i) {
    lo = std::min(lo, alignments_[i].start);
    hi = std::max(hi, alignments_[i].end);
  }
  return std::pair<size_t, size_t>{lo, hi};
}

namespace {
bool is_boundary(const std::string& s, size_t i) {
  return i == s.size() || (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80);
}
}  // namespace

std::optional<NormalizedString> NormalizedString::slice(size_t start, size_t end) const {
  if (start > end || end > normalized_.size()) return std::nullopt;
  auto orig = normalized_to_original(start, end);
  if (!orig) return std::nullopt;
  auto [os, oe] = *orig;
  if (os > oe || oe > original_.size()) return std::nullopt;
  if (!is_boundary(original_, os) || !is_boundary(original_, oe)) return std::nullopt;
  if (!is_boundary(normalized_, start) || !is_boundary(normalized_, end)) return std::nullopt;
  NormalizedString out;
  out.original_.assign(original_, os, oe - os);
  out.normalized_.assign(normalized_, start, end - start);
  out.alignments_.resize(end - start);
  uint32_t shift = static_cast<uint32_t>(os);
  for (size_t i = start; i < end; ++i) {
    const Alignment& a = alignments_[i];
    out.alignments_[i - start] = Alignment{a.start - shift, a.end - shift};
  }
  out.original_shift_ = original_shift_ + os;
  return out;
}

void NormalizedString::transform_range(size_t start, size_t end, const std::vector<CharChange>& dest,
                                       size_t initial_offset) {
  // Chars of the replaced range, consumed as the changes say (a cursor into normalized_).
  size_t cursor = start;
  auto take_char = [&]() -> size_t {
    if (cursor >= end) return 0;
    size_t len = utf8_seq_len(static_cast<unsigned char>(normalized_[cursor]));
    cursor += len;
    return len;
  };
  size_t initial_removed = 0;
  for (size_t k = 0; k < initial_offset; ++k) initial_removed += take_char();
  size_t offset = start + initial_removed;

  std::string out;
  out.reserve(dest.size() + 8);
  std::vector<Alignment> al;
  al.reserve(dest.size() + 8);
  auto align_at = [&](size_t idx) -> Alignment {
    // tokenizers would panic past the end; clamp instead so hostile input cannot crash us.
    if (alignments_.empty()) return Alignment{0, 0};
    return alignments_[std::min(idx, alignments_.size() - 1)];
  };
  for (const CharChange& cc : dest) {
    size_t idx = offset;
    Alignment a = cc.change > 0 ? (idx < 1 ? Alignment{0, 0} : align_at(idx - 1)) : align_at(idx);
    if (cc.change <= 0) offset += take_char();
    if (cc.change < 0) {
      for (int32_t k = 0; k < -cc.change; ++k) offset += take_char();
    }
    size_t before = out.size();
    append_utf8(out, cc.c);
    al.insert(al.end(), out.size() - before, a);
  }
  normalized_.replace(start, end - start, out);
  alignments_.erase(alignments_.begin() + start, alignments_.begin() + end);
  alignments_.insert(alignments_.begin() + start, al.begin(), al.end());
}

void NormalizedString::lowercase() {
  // Fast path: only ASCII uppercase changes and nothing changes length.
  bool ascii = true;
  for (char ch : normalized_) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    for (char& ch : normalized_)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    return;
  }
  expand_chars([](char32_t c, std::string& out) {
    char32_t buf[3];
    int n = unicode::to_lowercase(c, buf);
    for (int k = 0; k < n; ++k) append_utf8(out, buf[k]);
  });
}

namespace {

uint8_t ccc(char32_t c) {
  if (c < 0x300) return 0;
  return static_cast<uint8_t>(utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class);
}

// Primary composition of a starter and a following char (unicode-normalization's `compose`),
// served by utf8proc's NFC of the pair and memoized per thread.
std::optional<char32_t> compose_pair(char32_t a, char32_t b) {
  if (b < 0x300) return std::nullopt;  // every second half of a composition is >= U+0300
  thread_local std::unordered_map<uint64_t, char32_t> cache;
  uint64_t key = (static_cast<uint64_t>(a) << 21) | b;
  auto it = cache.find(key);
  if (it != cache.end()) {
    if (it->second == 0xFFFFFFFF) return std::nullopt;
    return it->second;
  }
  utf8proc_int32_t buf[8] = {static_cast<utf8proc_int32_t>(a), static_cast<utf8proc_int32_t>(b)};
  // utf8proc_normalize_utf32 needs decomposed input; decompose both first.
  utf8proc_int32_t dec[32];
  utf8proc_ssize_t n = 0;
  for (int k = 0; k < 2; ++k) {
    int bc = 0;
    utf8proc_ssize_t r = utf8proc_decompose_char(buf[k], dec + n, 32 - n, UTF8PROC_DECOMPOSE, &bc);
    if (r < 0 || n + r > 32) {
      cache[key] = 0xFFFFFFFF;
      return std::nullopt;
    }
    n += r;
  }
  utf8proc_ssize_t m = utf8proc_normalize_utf32(dec, n, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  char32_t result = (m == 1) ? static_cast<char32_t>(dec[0]) : 0xFFFFFFFF;
  cache[key] = result;
  if (result == 0xFFFFFFFF) return std::nullopt;
  return result;
}

}  // namespace

void NormalizedString::decompose(bool compat, bool compose) {
  // Fast path: below these bounds every char is its own normal form and starts a cluster.
  char32_t bound = compat ? 0xA0 : compose ? 0x300 : 0xC0;
  {
    bool trivial = true;
    size_t i = 0, n = normalized_.size();
    while (i < n) {
      unsigned char b = static_cast<unsigned char>(normalized_[i]);
      if (b < 0x80) {
        ++i;
        continue;
      }
      if (decode_utf8(normalized_.data(), i) >= bound) {
        trivial = false;
        break;
      }
    }
    if (trivial) return;
  }
  // Decomposition (unicode-normalization-alignments' Decompositions): the first char of each
  // decomposition replaces its source (0), the rest are insertions (+1); runs of non-starters are
  // stably sorted by combining class, carrying their marks along.
  struct Item {
    char32_t c;
    int32_t change;
    uint8_t ccc;
  };
  std::vector<Item> items;
  items.reserve(normalized_.size() + 8);
  utf8proc_option_t opts = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  size_t i = 0, n = normalized_.size();
  utf8proc_int32_t dec[32];
  while (i < n) {
    char32_t c = decode_utf8(normalized_.data(), i);
    int bc = 0;
    utf8proc_ssize_t r = (c < 0xA0) ? 0 : utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), dec, 32, opts, &bc);
    if (r <= 0 || r > 32) {
      items.push_back({c, 0, ccc(c)});
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < r; ++k) {
      char32_t d = static_cast<char32_t>(dec[k]);
      items.push_back({d, k == 0 ? 0 : 1, ccc(d)});
    }
  }
  for (size_t a = 0; a < items.size();) {
    if (items[a].ccc == 0) {
      ++a;
      continue;
    }
    size_t b = a;
    while (b < items.size() && items[b].ccc != 0) ++b;
    std::stable_sort(items.begin() + a, items.begin() + b,
                     [](const Item& x, const Item& y) { return x.ccc < y.ccc; });
    a = b;
  }
  std::vector<CharChange> dest;
  dest.reserve(items.size());
  if (!compose) {
    for (const Item& it : items) dest.push_back({it.c, it.change});
  } else {
    // Recompositions, step for step.
    std::optional<CharChange> composee;
    std::optional<uint8_t> last_ccc;
    std::vector<CharChange> buffer;
    for (const Item& it : items) {
      CharChange ch{it.c, it.change};
      uint8_t cls = it.ccc;
      if (!composee) {
        if (cls != 0) {
          dest.push_back(ch);
          continue;
        }
        composee = ch;
        continue;
      }
      CharChange k = *composee;
      if (!last_ccc) {
        if (auto r = compose_pair(k.c, ch.c)) {
          composee = CharChange{*r, k.change + ch.change - 1};
          continue;
        }
        if (cls == 0) {
          composee = ch;
          dest.push_back(k);
          continue;
        }
        buffer.push_back(ch);
        last_ccc = cls;
      } else {
        uint8_t l = *last_ccc;
        if (l >= cls) {
          if (cls == 0) {
            composee = ch;
            last_ccc.reset();
            dest.push_back(k);
            dest.insert(dest.end(), buffer.begin(), buffer.end());
            buffer.clear();
            continue;
          }
          buffer.push_back(ch);
          last_ccc = cls;
          continue;
        }
        if (auto r = compose_pair(k.c, ch.c)) {
          composee = CharChange{*r, k.change + ch.change - 1};
          continue;
        }
        buffer.push_back(ch);
        last_ccc = cls;
      }
    }
    if (composee) dest.push_back(*composee);
    dest.insert(dest.end(), buffer.begin(), buffer.end());
  }
  transform(dest, 0);
}

void NormalizedString::prepend(std::string_view s) {
  // tokenizers prepends by transforming the first char; every inserted byte takes its alignment.
  if (normalized_.empty() || s.empty()) return;
  Alignment a = alignments_[0];
  normalized_.insert(0, s);
  alignments_.insert(alignments_.begin(), s.size(), a);
}

void NormalizedString::lrstrip(bool left, bool right) {
  size_t b = 0, e = normalized_.size();
  if (left) {
    while (b < e) {
      size_t j = b;
      if (!unicode::is_whitespace(decode_utf8(normalized_.data(), j))) break;
      b = j;
    }
  }
  if (right) {
    while (e > b) {
      size_t p = prev_char_start(normalized_, e);
      if (!unicode::is_whitespace(decode_utf8_at(normalized_, p))) break;
      e = p;
    }
  }
  if (b == 0 && e == normalized_.size()) return;
  normalized_ = normalized_.substr(b, e - b);
  alignments_ = std::vector<Alignment>(alignments_.begin() + b, alignments_.begin() + e);
}

void NormalizedString::replace(const std::vector<Split>& matches, std::string_view content) {
  bool any = false;
  for (const Split& m : matches) any |= m.is_match;
  if (!any) return;
  std::string out;
  out.reserve(normalized_.size() + content.size() * 2);
  std::vector<Alignment> al;
  al.reserve(normalized_.size() + content.size() * 2);
  for (const Split& m : matches) {
    if (!m.is_match) {
      out.append(normalized_, m.start, m.end - m.start);
      al.insert(al.end(), alignments_.begin() + m.start, alignments_.begin() + m.end);
      continue;
    }
    // Each inserted char shares the alignment of the byte before the match end.
    Alignment a = m.end < 1 ? Alignment{0, 0} : alignments_[m.end - 1];
    out.append(content);
    al.insert(al.end(), content.size(), a);
  }
  set_from_buffers(std::move(out), std::move(al));
}

std::vector<NormalizedString> NormalizedString::split(const std::vector<Split>& matches,
                                                      SplitBehavior behavior) const {
  // (start, end, remove)
  struct Piece {
    size_t start, end;
    bool remove;
  };
  std::vector<Piece> pieces;
  pieces.reserve(matches.size());
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const Split& m : matches) pieces.push_back({m.start, m.end, false});
      break;
    case SplitBehavior::kRemoved:
      for (const Split& m : matches) pieces.push_back({m.start, m.end, m.is_match});
      break;
    case SplitBehavior::kContiguous: {
      bool previous = false;
      for (const Split& m : matches) {
        if (m.is_match == previous && !pieces.empty()) {
          pieces.back().end = m.end;
        } else {
          pieces.push_back({m.start, m.end, false});
        }
        previous = m.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool previous = false;
      for (const Split& m : matches) {
        if (m.is_match && !previous && !pieces.empty()) {
          pieces.back().end = m.end;
        } else {
          pieces.push_back({m.start, m.end, false});
        }
        previous = m.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->is_match && !previous && !pieces.empty()) {
          pieces.back().start = it->start;
        } else {
          pieces.push_back({it->start, it->end, false});
        }
        previous = it->is_match;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(pieces.size());
  for (const Piece& p : pieces) {
    if (p.remove) continue;
    if (auto s = slice(p.start, p.end)) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace ragrt::text
