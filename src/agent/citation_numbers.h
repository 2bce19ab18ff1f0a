#pragma once
// Citation markers renumbered in the order a reader meets them: the answer cites passages by the
// ids the prompt gave them ([4] … [1] … [4]); the customer reads [1] … [2] … [1], and the sources
// list follows the same numbers. Works on streamed text: a marker cut between two pieces
// ("… [" then "4] …") is held back until it is whole, anything else passes at once.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::agent {

class CitationNumbers {
 public:
  // `ids`: the passage ids a marker may name; other numbers in brackets are left as written.
  explicit CitationNumbers(std::vector<std::string> ids) : ids_(std::move(ids)) {}
  // The part of the text so far that is ready to show, renumbered.
  std::string feed(std::string_view piece);
  // Whatever is still held back (an unfinished "[12" at the end).
  std::string flush();
  // Passage ids in the order of their new numbers: order()[0] is shown as [1].
  const std::vector<std::string>& order() const { return order_; }
  const std::string& text() const { return text_; }  // everything returned so far

 private:
  std::string renumber(std::string_view inside);  // "4, 1" -> "1, 2"; "" when not only known ids
  std::string emit(std::string s);

  std::vector<std::string> ids_;
  std::vector<std::string> order_;
  std::map<std::string, size_t> number_;
  std::string pending_;  // from a '[' not yet closed
  std::string text_;
};

}  // namespace ragrt::agent
