#include "generate/prompt_lookup.h"

#include <gtest/gtest.h>

namespace ragrt::generate {
namespace {

std::vector<int32_t> draft(std::vector<int32_t> history, size_t max_tokens = 4) {
  PromptLookupParams p;
  p.max_tokens = max_tokens;
  return prompt_lookup_draft(history, p);
}

}  // namespace

TEST(PromptLookupTest, ContinuesTheMostRecentEarlierOccurrenceOfTheSuffix) {
  // "7 8" occurs at 1 (followed by 1 2) and at 5 (followed by 3 4 5): the later one wins.
  EXPECT_EQ(draft({0, 7, 8, 1, 2, 7, 8, 3, 4, 5, 9, 7, 8}), (std::vector<int32_t>{3, 4, 5, 9}));
}

TEST(PromptLookupTest, PrefersTheLongestMatchingSuffix) {
  // The bigram "8 9" last occurred before 5, the trigram "7 8 9" before 6.
  EXPECT_EQ(draft({7, 8, 9, 6, 1, 8, 9, 5, 7, 8, 9}, 1), (std::vector<int32_t>{6}));
}

TEST(PromptLookupTest, StopsAtMaxTokensAndAtTheEndOfHistory) {
  EXPECT_EQ(draft({1, 2, 3, 4, 5, 6, 1, 2}, 2), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(draft({1, 2, 3, 1, 2}, 8), (std::vector<int32_t>{3, 1, 2}));
  EXPECT_EQ(draft({1, 2, 3, 1, 2}, 0), std::vector<int32_t>{});
}

TEST(PromptLookupTest, NoDraftWithoutARepeatedNgram) {
  EXPECT_TRUE(draft({}).empty());
  EXPECT_TRUE(draft({5}).empty());
  EXPECT_TRUE(draft({1, 2, 3, 4, 5}).empty());
  EXPECT_TRUE(draft({1, 2, 3, 4, 2}).empty());  // a repeated single token is not enough
  EXPECT_TRUE(draft({1, 2, 1, 3}).empty());
}

}  // namespace ragrt::generate
