// Greedy token-budgeted splitting. The whole document is tokenized once; chunk sizes are counted
// in those tokens, and a cut is only allowed where no token straddles it, so the count a chunk
// reports is the count the embedding model sees (up to edge effects of re-tokenizing a substring).
//
// Per chunk, from its start:
//   1. the window is every cut that keeps the chunk within chunk_tokens;
//   2. if a heading lies in the window after at least half of chunk_tokens, the chunk ends at the
//      first such heading (a chunk never runs past a heading once it is half full; earlier
//      headings stay inside, so tiny sections do not become tiny chunks);
//   3. otherwise the chunk ends at the best-ranked word-or-better break (section/page > paragraph >
//      line > sentence > word) among those that leave it at least half full, the latest on ties;
//   4. failing that, the best word-or-better break in the first half;
//   5. failing that (one giant word), the latest grapheme boundary, then code point boundary;
//   6. failing that (one token group larger than the budget), the first cut after the window;
//      when that only happens because of the overlap, the chunk starts without overlap instead.
// The next chunk starts at the first word-or-better break that repeats at most overlap_tokens
// tokens, never before the latest heading inside the previous chunk and without any overlap when
// the previous chunk ended at a heading (so the overlap does not drag the previous section's tail
// into a chunk attributed to it), and must end past the previous end.
#include "ragrt/splitter.h"

#include <algorithm>
#include <optional>

#include "ingest/text_boundaries.h"
#include "ragrt/error.h"
#include "text/unicode.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using ingest::BreakRank;

class DocumentCutter {
 public:
  DocumentCutter(const Document& doc, const Encoding& enc, const SplitterParams& params)
      : doc_(doc), text_(doc.text), n_(doc.text.size()), params_(params),
        bounds_(ingest::find_text_boundaries(doc.text, doc.sections, doc.pages)) {
    // A cut at p is allowed only if every token lies entirely before or after p. Tokens that share
    // bytes (byte-fallback pieces of one character) therefore stay in one chunk.
    std::vector<int32_t> inside(n_ + 2, 0);
    spans_.reserve(enc.offsets.size());
    starts_.reserve(enc.offsets.size());
    for (auto [s, e] : enc.offsets) {
      e = std::min(e, n_);
      s = std::min(s, e);
      spans_.push_back({s, e});
      if (e > s + 1) {
        ++inside[s + 1];
        --inside[e];
      }
    }
    std::sort(spans_.begin(), spans_.end());
    for (const auto& sp : spans_) starts_.push_back(sp.first);
    int32_t depth = 0;
    for (size_t p = 0; p <= n_; ++p) {
      depth += inside[p];
      if (depth > 0) {
        bounds_.rank[p] = ingest::kNoBreak;
        bounds_.heading[p] = 0;
      }
    }
    for (const auto& s : doc.sections) {
      if (s.begin < n_) heading_begins_.push_back(s.begin);
    }
    std::sort(heading_begins_.begin(), heading_begins_.end());
  }

  std::vector<Chunk> run() const {
    std::vector<Chunk> chunks;
    const size_t content_end = last_content_end();
    if (content_end == 0) return chunks;
    size_t start = 0;
    size_t prev_end = 0;
    while (true) {
      size_t end = choose_end(start, prev_end);
      if (start < prev_end && tokens_before(end) - tokens_before(start) > params_.chunk_tokens) {
        // The overlap left no room to get past the previous end within the budget (the next
        // characters are a token group larger than what is left): give up the overlap instead.
        start = prev_end;
        end = choose_end(start, prev_end);
      }
      emit(start, end, chunks);
      if (end >= content_end) break;
      size_t next = next_start(start, end);
      prev_end = end;
      start = next;
    }
    return chunks;
  }

 private:
  // Number of tokens that start before byte p.
  size_t tokens_before(size_t p) const {
    return static_cast<size_t>(std::lower_bound(starts_.begin(), starts_.end(), p) - starts_.begin());
  }

  size_t choose_end(size_t start, size_t must_pass) const {
    const size_t k0 = tokens_before(start);
    const size_t total = starts_.size();
    const bool rest_fits = total - k0 <= params_.chunk_tokens;
    // Cuts at p <= limit keep the chunk within chunk_tokens.
    const size_t limit = rest_fits ? n_ : starts_[k0 + params_.chunk_tokens];
    // Cuts at p >= half_from leave the chunk at least half full.
    const size_t min_fill = (params_.chunk_tokens + 1) / 2;
    const size_t half_from = k0 + min_fill - 1 < total ? starts_[k0 + min_fill - 1] + 1 : n_ + 1;

    std::optional<size_t> heading, full_word, short_word, in_word;
    int8_t full_rank = -1, short_rank = -1, in_word_rank = -1;
    const size_t lo = std::max(start, must_pass) + 1;
    for (size_t p = std::min(limit, n_); p >= lo; --p) {  // descending: first seen = latest
      const int8_t r = bounds_.rank[p];
      if (r == ingest::kNoBreak) continue;
      const bool full = p >= half_from;
      if (full && bounds_.heading[p]) heading = p;
      if (r >= ingest::kWord) {
        auto& best = full ? full_word : short_word;
        auto& best_rank = full ? full_rank : short_rank;
        if (r > best_rank) {
          best = p;
          best_rank = r;
        }
      } else if (r > in_word_rank) {
        in_word = p;
        in_word_rank = r;
      }
    }
    if (heading && *heading < n_) return *heading;
    if (rest_fits) return n_;
    if (full_word) return *full_word;
    if (short_word) return *short_word;
    if (in_word) return *in_word;
    for (size_t p = std::max(limit, lo); p <= n_; ++p) {
      if (bounds_.rank[p] != ingest::kNoBreak) return p;
    }
    return n_;
  }

  size_t next_start(size_t start, size_t end) const {
    // A chunk that ends at a heading hands the next section over whole: an overlap would start
    // that section's first chunk with this section's tail, and attribute it to this section.
    if (params_.overlap_tokens == 0 || bounds_.heading[end]) return end;
    const size_t k0 = tokens_before(start);
    const size_t ke = tokens_before(end);
    // Positions >= from repeat at most overlap_tokens tokens of the chunk [start, end).
    size_t from = ke - k0 > params_.overlap_tokens ? starts_[ke - params_.overlap_tokens - 1] + 1 : start + 1;
    // Past the chunk's first visible byte: a start inside the whitespace the chunk began with would
    // strip to the same begin and give a chunk that only repeats this one (short chunks, large overlap).
    from = std::max(from, skip_whitespace(start, end) + 1);
    auto it = std::lower_bound(heading_begins_.begin(), heading_begins_.end(), end);
    if (it != heading_begins_.begin() && *std::prev(it) > start) from = std::max(from, *std::prev(it));
    for (size_t p = from; p < end; ++p) {
      if (bounds_.rank[p] >= ingest::kWord) return p;
    }
    return end;
  }

  // The first position in [p, limit) that does not start whitespace, or limit.
  size_t skip_whitespace(size_t p, size_t limit) const {
    while (p < limit) {
      size_t next = p;
      if (!text::unicode::is_whitespace(text::decode_utf8(text_.data(), next))) break;
      p = next;
    }
    return p;
  }

  void emit(size_t raw_b, size_t raw_e, std::vector<Chunk>& chunks) const {
    size_t b = skip_whitespace(raw_b, raw_e), e = raw_e;
    while (e > b) {
      size_t prev = text::prev_char_start(text_, e);
      if (!text::unicode::is_whitespace(text::decode_utf8_at(text_, prev))) break;
      e = prev;
    }
    if (b >= e) return;
    // A chunk that passed the previous end only by whitespace strips to a part of the previous
    // chunk (its overlap): it would only repeat text already emitted.
    if (!chunks.empty() && e <= chunks.back().end) return;
    Chunk c;
    c.doc_id = doc_.id;
    c.index = chunks.size();
    c.begin = b;
    c.end = e;
    c.text = text_.substr(b, e - b);
    c.section = section_at(b);
    c.page = page_at(b);
    c.page_end = page_at(e - 1);
    // Regions are sorted by begin and do not overlap, so those ending after b start at one place.
    const auto& regions = doc_.regions;
    auto r = std::partition_point(regions.begin(), regions.end(), [&](const TextRegion& x) { return x.end <= b; });
    for (; r != regions.end() && r->begin < e; ++r) c.regions.push_back(*r);
    // Tokens the chunk's text holds. A token that starts in stripped leading whitespace (byte-level
    // BPE's " word") still belongs to the chunk; tokens made only of stripped whitespace do not.
    // The cut [raw_b, raw_e) splits no token, so every candidate starts inside it.
    for (size_t i = tokens_before(raw_b), last = tokens_before(raw_e); i < last; ++i) {
      auto [s, t] = spans_[i];
      if (s == t ? (s >= b && s < e) : (s < e && t > b)) ++c.tokens;
    }
    chunks.push_back(std::move(c));
  }

  std::string section_at(size_t pos) const {
    const Section* best = nullptr;
    for (const auto& s : doc_.sections) {
      if (s.begin > pos) break;  // sorted by begin
      if (pos >= s.end) continue;
      // Nested sections: the innermost is the one that starts last (the shorter on equal starts).
      if (!best || s.begin > best->begin || (s.begin == best->begin && s.end - s.begin <= best->end - best->begin))
        best = &s;
    }
    return best ? best->path : std::string();
  }

  int page_at(size_t pos) const {
    const auto& pages = doc_.pages;
    if (pages.empty()) return 0;
    // The last page starting at or before pos; text between pages counts to the page before it.
    auto it = std::upper_bound(pages.begin(), pages.end(), pos,
                               [](size_t p, const Page& pg) { return p < pg.begin; });
    if (it == pages.begin()) return pages.front().number;
    return std::prev(it)->number;
  }

  size_t last_content_end() const {
    size_t e = n_;
    while (e > 0) {
      size_t prev = text::prev_char_start(text_, e);
      if (!text::unicode::is_whitespace(text::decode_utf8_at(text_, prev))) break;
      e = prev;
    }
    return e;
  }

  const Document& doc_;
  const std::string& text_;
  const size_t n_;
  const SplitterParams& params_;
  ingest::TextBoundaries bounds_;
  std::vector<Offsets> spans_;
  std::vector<size_t> starts_;  // token starts, sorted
  std::vector<size_t> heading_begins_;
};

}  // namespace

Splitter::Splitter(const Tokenizer& tokenizer, SplitterParams params) : tokenizer_(tokenizer), params_(params) {
  RAGRT_THROW_IF_NOT_KIND(params.chunk_tokens > 0, ErrorKind::kInvalidArgument,
                          "splitter: chunk_tokens must be at least 1");
  RAGRT_THROW_IF_NOT_KIND(params.overlap_tokens < params.chunk_tokens, ErrorKind::kInvalidArgument,
                          "splitter: overlap_tokens ({}) must be smaller than chunk_tokens ({})",
                          params.overlap_tokens, params.chunk_tokens);
  RAGRT_THROW_IF_NOT_KIND(!tokenizer.truncation(), ErrorKind::kInvalidArgument,
                          "splitter: the tokenizer truncates to {} tokens, so long documents would be cut "
                          "short; pass a tokenizer instance with set_truncation(std::nullopt)",
                          tokenizer.truncation()->max_length);
  RAGRT_THROW_IF_NOT_KIND(!tokenizer.padding(), ErrorKind::kInvalidArgument,
                          "splitter: the tokenizer pads its output, which would add [PAD] tokens to the count; "
                          "pass a tokenizer instance with set_padding(std::nullopt)");
}

std::vector<Chunk> Splitter::split(const Document& doc) const {
  if (doc.text.empty()) return {};
  const Encoding enc = tokenizer_.encode(doc.text, /*add_special_tokens=*/false);
  return DocumentCutter(doc, enc, params_).run();
}

}  // namespace ragrt
