#pragma once
// A stand-in embedding model for tests of remote and application embedders: each lower-cased
// ASCII word adds 1 to a bucket chosen by its hash, so texts that share words have similar
// vectors and dense retrieval has something real to rank.
#include <cctype>
#include <functional>
#include <string>
#include <vector>

namespace ragrt::testing {

inline std::vector<float> word_vector(const std::string& text, size_t dims = 64) {
  std::vector<float> v(dims, 0.0f);
  std::string word;
  auto flush = [&] {
    if (!word.empty()) v[std::hash<std::string>{}(word) % dims] += 1.0f;
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c)) word.push_back(static_cast<char>(std::tolower(c)));
    else flush();
  }
  flush();
  v[dims - 1] += 0.01f;  // never all zero
  return v;
}

}  // namespace ragrt::testing
