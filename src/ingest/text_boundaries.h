#pragma once
// Where a text may be cut into chunks, and how good each cut is. The splitter combines these
// ranks with the tokenizer's offsets (a cut must also fall between tokens) and picks, per chunk,
// the best-ranked cut that still leaves the chunk at least half full.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ragrt/document.h"

namespace ragrt::ingest {

// Higher is a better place to cut. Ordered so that a plain comparison picks the preferred cut.
enum BreakRank : int8_t {
  kNoBreak = -1,   // inside a UTF-8 sequence
  kCodepoint = 0,  // between code points of one grapheme cluster (only for giant "words")
  kGrapheme = 1,   // between grapheme clusters, inside a word
  kWord = 2,       // whitespace, or next to a CJK / kana / hangul character
  kSentence = 3,   // after . ! ? followed by whitespace, or after 。！？；．… (+ closing quotes)
  kLine = 4,       // a whitespace run holding one line break
  kParagraph = 5,  // a whitespace run holding a blank line (two line breaks), \f or U+2029
  kSection = 6,    // a section or page begins or ends here (and the whitespace around it)
};

struct TextBoundaries {
  // rank[p] for every byte position p in [0, text.size()]: how good a cut right before byte p is.
  std::vector<int8_t> rank;
  // heading[p]: p is a section's begin, or whitespace touching it; the splitter never lets a chunk
  // run past a heading once the chunk is half full.
  std::vector<uint8_t> heading;
};

// `text` must be valid UTF-8 (Document::text is). Sections and pages may be empty; offsets outside
// the text are ignored.
TextBoundaries find_text_boundaries(std::string_view text, const std::vector<Section>& sections,
                                    const std::vector<Page>& pages);

// Ideographs, kana, hangul, CJK symbols and punctuation and fullwidth forms: scripts written
// without spaces between words, where any character boundary is a word boundary.
bool is_cjk(char32_t c);

}  // namespace ragrt::ingest
