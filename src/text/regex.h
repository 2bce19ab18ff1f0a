#pragma once
// Regular expressions as tokenizer.json writes them (Oniguruma syntax, as Hugging Face compiles
// them), run on PCRE2 in UTF + UCP mode with JIT. Classes whose Unicode meaning differs between
// the two engines (\s, \S, \w, \W, \h) are rewritten to Oniguruma's meaning. Iteration over
// matches follows the onig crate's find_iter, empty matches included.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/normalized_string.h"

namespace ragrt::text {

class Regex {
 public:
  // Throws ragrt::Error (kInvalidModel) naming `where` when the pattern does not compile.
  Regex(std::string_view onig_pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Finds the first match at or after `from`; returns false when there is none.
  bool find_at(std::string_view text, size_t from, size_t& match_start, size_t& match_end) const;

  // tokenizers' Pattern::find_matches: matches and the gaps between them, covering `text`.
  void find_matches(std::string_view text, std::vector<Split>& out) const;

  const std::string& pattern() const { return source_; }

 private:
  std::string source_;
  void* code_ = nullptr;  // pcre2_code_8*
};

// Oniguruma-to-PCRE2 rewrite of the character classes (exposed for tests).
std::string translate_onig_pattern(std::string_view pattern);

// regex::escape: a pattern matching `literal` verbatim.
std::string escape_regex(std::string_view literal);

}  // namespace ragrt::text
