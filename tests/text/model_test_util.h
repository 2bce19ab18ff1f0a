// Helpers shared by the tokenizer model tests (BPE, Unigram, ...).
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "text/model.h"

namespace ragrt::text::test {

// What a model should produce for one piece: ids, token strings and byte offsets in the piece.
struct Expected {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<std::pair<size_t, size_t>> offsets;
};

inline void expect_tokens(const Model& model, std::string_view text, const Expected& want) {
  SCOPED_TRACE(std::string(text));
  auto got = model.tokenize(text);
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<std::pair<size_t, size_t>> offsets;
  for (const auto& t : got) {
    ids.push_back(t.id);
    tokens.push_back(t.value);
    offsets.emplace_back(t.begin, t.end);
  }
  EXPECT_EQ(ids, want.ids);
  EXPECT_EQ(tokens, want.tokens);
  EXPECT_EQ(offsets, want.offsets);
}

// `count` words of 1 to 30 letters a-z.
inline std::vector<std::string> random_words(std::mt19937& rng, size_t count) {
  std::uniform_int_distribution<int> letter('a', 'z');
  std::uniform_int_distribution<int> length(1, 30);
  std::vector<std::string> words(count);
  for (auto& w : words) {
    int n = length(rng);
    for (int i = 0; i < n; ++i) w += static_cast<char>(letter(rng));
  }
  return words;
}

// Tokenizes every word three times on each of `threads` threads (each starting elsewhere in the
// list) with the shared `model` and expects exactly `reference`, computed single-threaded.
inline void expect_concurrent_tokenize_matches(const Model& model, const std::vector<std::string>& words,
                                               const std::vector<std::vector<Token>>& reference, int threads = 8) {
  std::vector<int> mismatches(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (size_t i = (t * 997) % words.size(), n = 0; n < words.size(); ++n, i = (i + 1) % words.size()) {
          auto got = model.tokenize(words[i]);
          bool same = got.size() == reference[i].size();
          for (size_t k = 0; same && k < got.size(); ++k)
            same = got[k].id == reference[i][k].id && got[k].value == reference[i][k].value &&
                   got[k].begin == reference[i][k].begin && got[k].end == reference[i][k].end;
          if (!same) ++mismatches[t];
        }
    });
  }
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  // The segmentation really merges (guards against a model that returns characters).
  size_t tokens = 0, chars = 0;
  for (size_t i = 0; i < words.size(); ++i) tokens += reference[i].size(), chars += words[i].size();
  EXPECT_LT(tokens, chars);
}

}  // namespace ragrt::text::test
