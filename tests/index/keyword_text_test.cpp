#include "index/keyword_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ragrt::index {
namespace {

using ::testing::ElementsAre;

TEST(KeywordText, ChineseRunsBecomeOverlappingBigrams) {
  EXPECT_EQ(keyword_document_text("退货政策"), " 退货 货政 政策 ");
  EXPECT_THAT(keyword_query_terms("退货政策"), ElementsAre("退货", "货政", "政策"));
}

TEST(KeywordText, LoneCjkCharacterIsItsOwnTerm) {
  EXPECT_THAT(keyword_query_terms("买 book"), ElementsAre("买", "book"));
  EXPECT_EQ(keyword_document_text("a猫b"), "a 猫 b");
}

TEST(KeywordText, LatinTextIsUnchangedAndSplitOnNonLetters) {
  EXPECT_EQ(keyword_document_text("Refund policy, v2.1"), "Refund policy, v2.1");
  EXPECT_THAT(keyword_query_terms("Refund policy, v2.1?"), ElementsAre("Refund", "policy", "v2", "1"));
}

TEST(KeywordText, MixedScriptsSplitAtTheScriptBoundary) {
  EXPECT_THAT(keyword_query_terms("iPhone15的价格"), ElementsAre("iPhone15", "的价", "价格"));
  // Kana and hangul are bigrammed like ideographs; CJK punctuation separates runs.
  EXPECT_THAT(keyword_query_terms("カタカナ。한국어"), ElementsAre("カタ", "タカ", "カナ", "한국", "국어"));
}

TEST(KeywordText, MatchExpressionOrsQuotedTerms) {
  EXPECT_EQ(fts5_match_expression(keyword_query_terms("refund 退货")), "\"refund\" OR \"退货\"");
  // FTS5 operators typed by a user are plain words to us, never syntax.
  EXPECT_EQ(fts5_match_expression(keyword_query_terms("NOT refund*")), "\"NOT\" OR \"refund\"");
  EXPECT_EQ(fts5_match_expression(keyword_query_terms("?!  ...")), "");
  EXPECT_EQ(fts5_match_expression(std::vector<std::string>{"a\"b"}), "\"a\"\"b\"");
}

TEST(KeywordText, InvalidUtf8IsNotATermCharacter) {
  EXPECT_THAT(keyword_query_terms(std::string("ab\xff" "cd")), ElementsAre("ab", "cd"));
}

}  // namespace
}  // namespace ragrt::index
