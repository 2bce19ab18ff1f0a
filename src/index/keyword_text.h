#pragma once
// Text as the keyword index sees it. SQLite FTS5's unicode61 tokenizer splits on non-letters
// only, so a run of Chinese or Japanese characters would be one huge token that no query matches.
// We index CJK runs as overlapping character bigrams (the scheme of Lucene's CJKAnalyzer): 退货政策
// -> 退货 货政 政策, and a lone CJK character as itself. Queries get the same treatment, so a query
// matches any document sharing a two-character word or phrase. Bigrams beat the FTS5 trigram
// tokenizer here because trigram indexing gives up on Latin stemming (porter) and cannot match
// the many two-character Chinese words; see the index notes for measured figures.
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::index {

// `text` with every CJK run rewritten as space-separated bigrams; everything else unchanged.
std::string keyword_document_text(std::string_view text);
// The query's terms as the keyword index tokenizes them (letters/digits runs, CJK bigrams).
std::vector<std::string> keyword_query_terms(std::string_view query);
// An FTS5 MATCH expression OR-ing the quoted terms; "" when there are none.
std::string fts5_match_expression(const std::vector<std::string>& terms);

}  // namespace ragrt::index
