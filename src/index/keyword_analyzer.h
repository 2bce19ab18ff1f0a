#pragma once
// The terms the keyword index stores for a text: CJK runs as bigrams (keyword_text.h), then
// SQLite FTS5's own `porter unicode61 remove_diacritics 2` tokenizer (case folded, accents
// removed, Porter-stemmed: "refunds" and "refunded" -> "refund"). Run through SQLite's tokenizer
// itself rather than a copy of it, so that whatever compares text with the question (the
// extractive generator) matches words exactly as BM25 does.
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::index {

// Thread-safe (one tokenizer per thread). Invalid UTF-8 bytes separate tokens.
std::vector<std::string> keyword_analyzed_terms(std::string_view text);

}  // namespace ragrt::index
