#pragma once
// A piece of text being normalized, with the byte alignment between its normalized form and the
// original input: every byte of the normalized string knows the original byte range it came from.
// This is how tokens end up with offsets into the caller's text. Mirrors `NormalizedString` in
// Hugging Face's tokenizers, including its quirks, because offsets must agree bit for bit.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ragrt::text {

struct Alignment {
  uint32_t start;
  uint32_t end;
  bool operator==(const Alignment&) const = default;
};

// One result of a pattern search over a string: a byte range that either matched or lies between
// matches. Searches always return ranges covering the whole string, in order.
struct Split {
  size_t start;
  size_t end;
  bool is_match;
};

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// A character of a transformation and how it relates to the characters it replaces: 0 replaces
// one char, +1 is an insertion, -n replaces one char and removes n more (tokenizers' convention).
struct CharChange {
  char32_t c;
  int32_t change;
};

class NormalizedString {
 public:
  NormalizedString() = default;
  explicit NormalizedString(std::string_view original);

  const std::string& get() const { return normalized_; }
  const std::string& original() const { return original_; }
  size_t size() const { return normalized_.size(); }
  bool empty() const { return normalized_.empty(); }
  const std::vector<Alignment>& alignments() const { return alignments_; }
  size_t original_shift() const { return original_shift_; }
  // Byte range of this piece within the text the whole pipeline started from.
  std::pair<size_t, size_t> offsets_original() const {
    return {original_shift_, original_shift_ + original_.size()};
  }

  // Maps a normalized byte range to the original byte range (relative to original()).
  std::optional<std::pair<size_t, size_t>> normalized_to_original(size_t start, size_t end) const;

  // The sub-string for a normalized byte range, with its alignments; nullopt when the range does
  // not fall on char boundaries or cannot be mapped.
  std::optional<NormalizedString> slice(size_t start, size_t end) const;

  // Replaces normalized bytes [start, end) with `dest`, deriving alignments from the change marks
  // exactly as tokenizers' transform_range does. `initial_offset` chars are dropped up front.
  void transform_range(size_t start, size_t end, const std::vector<CharChange>& dest,
                       size_t initial_offset);
  void transform(const std::vector<CharChange>& dest, size_t initial_offset) {
    transform_range(0, normalized_.size(), dest, initial_offset);
  }

  // Replaces every char by zero or more chars that inherit its alignment (the common case of
  // map / lowercase / char insertion around a char). `fn(char32_t c, std::string& out)` appends the
  // replacement of c to out.
  template <typename Fn>
  void expand_chars(Fn&& fn);
  // Keeps the chars for which keep(c) is true (tokenizers' filter).
  template <typename Pred>
  void filter(Pred&& keep);

  void lowercase();
  void nfd() { decompose(false, false); }
  void nfkd() { decompose(true, false); }
  void nfc() { decompose(false, true); }
  void nfkc() { decompose(true, true); }
  void prepend(std::string_view s);
  void lrstrip(bool left, bool right);
  // Replaces every match by `content` (tokenizers' NormalizedString::replace).
  void replace(const std::vector<Split>& matches, std::string_view content);

  // Splits along the matches (which must cover the string) with the given behaviour.
  std::vector<NormalizedString> split(const std::vector<Split>& matches, SplitBehavior behavior) const;

 private:
  void decompose(bool compat, bool compose);
  void set_from_buffers(std::string&& normalized, std::vector<Alignment>&& alignments) {
    normalized_ = std::move(normalized);
    alignments_ = std::move(alignments);
  }

  std::string original_;
  std::string normalized_;
  std::vector<Alignment> alignments_;  // one per byte of normalized_
  size_t original_shift_ = 0;
};

template <typename Fn>
void NormalizedString::expand_chars(Fn&& fn) {
  std::string out;
  out.reserve(normalized_.size() + 8);
  std::vector<Alignment> al;
  al.reserve(normalized_.size() + 8);
  const char* s = normalized_.data();
  size_t i = 0, n = normalized_.size();
  while (i < n) {
    size_t start = i;
    char32_t c;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      c = static_cast<unsigned char>(s[i]);
      ++i;
    } else {
      size_t j = i;
      c = 0;
      unsigned char b0 = static_cast<unsigned char>(s[j]);
      size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
      c = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[j + k]) & 0x3F);
      i += len;
    }
    size_t before = out.size();
    fn(c, out);
    al.insert(al.end(), out.size() - before, alignments_[start]);
  }
  set_from_buffers(std::move(out), std::move(al));
}

template <typename Pred>
void NormalizedString::filter(Pred&& keep) {
  std::string out;
  out.reserve(normalized_.size());
  std::vector<Alignment> al;
  al.reserve(normalized_.size());
  const char* s = normalized_.data();
  size_t i = 0, n = normalized_.size();
  while (i < n) {
    size_t start = i;
    unsigned char b0 = static_cast<unsigned char>(s[i]);
    size_t len = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
    char32_t c = len == 1 ? b0 : (b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07));
    for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (keep(c)) {
      out.append(s + start, len);
      al.insert(al.end(), alignments_.begin() + start, alignments_.begin() + start + len);
    }
  }
  set_from_buffers(std::move(out), std::move(al));
}

}  // namespace ragrt::text
