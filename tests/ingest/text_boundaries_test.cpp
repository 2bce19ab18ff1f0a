// find_text_boundaries: where the splitter may cut and how good each cut is.
#include <gtest/gtest.h>

#include <string>

#include "ingest/text_boundaries.h"

namespace ragrt::ingest::test {
namespace {

int rank_at(std::string_view text, size_t p, const std::vector<Section>& sections = {},
            const std::vector<Page>& pages = {}) {
  return find_text_boundaries(text, sections, pages).rank.at(p);
}

// Position right after the first occurrence of `needle`.
size_t after(std::string_view text, std::string_view needle) { return text.find(needle) + needle.size(); }

TEST(IngestTextBoundaries, EndsAreStructural) {
  const std::string text = "abc";
  const auto b = find_text_boundaries(text, {}, {});
  ASSERT_EQ(b.rank.size(), text.size() + 1);
  ASSERT_EQ(b.heading.size(), text.size() + 1);
  EXPECT_EQ(b.rank[0], kSection);
  EXPECT_EQ(b.rank[3], kSection);
  EXPECT_EQ(b.rank[1], kGrapheme);
  const auto empty = find_text_boundaries("", {}, {});
  ASSERT_EQ(empty.rank.size(), 1u);
}

TEST(IngestTextBoundaries, WhitespaceRunsRankByLineBreaks) {
  const std::string text = "one two\nthree\n\nfour\r\nfive\r\n\r\nsix\fseven \n \n eight";
  EXPECT_EQ(rank_at(text, 3), kWord);
  EXPECT_EQ(rank_at(text, 4), kWord);  // the whole run, both ends included
  EXPECT_EQ(rank_at(text, after(text, "two")), kLine);
  EXPECT_EQ(rank_at(text, after(text, "three")), kParagraph);
  EXPECT_EQ(rank_at(text, after(text, "three\n")), kParagraph);
  EXPECT_EQ(rank_at(text, after(text, "four")), kLine);  // \r\n is one line break
  EXPECT_EQ(rank_at(text, after(text, "four\r")), kLine);
  EXPECT_EQ(rank_at(text, after(text, "five")), kParagraph);
  EXPECT_EQ(rank_at(text, after(text, "six")), kParagraph);  // form feed
  EXPECT_EQ(rank_at(text, after(text, "seven")), kParagraph);
  EXPECT_EQ(rank_at(text, text.find("eight")), kParagraph);
}

TEST(IngestTextBoundaries, SentenceEndsNeedWhitespaceAfterAsciiTerminators) {
  const std::string text = "Pi is 3.14 today. He said \"Stop!\" Then example.com? Yes";
  EXPECT_EQ(rank_at(text, after(text, "3.")), kGrapheme);
  EXPECT_EQ(rank_at(text, after(text, "today.")), kSentence);
  EXPECT_EQ(rank_at(text, text.find("He")), kSentence);
  EXPECT_EQ(rank_at(text, after(text, "Stop!")), kGrapheme);   // the closing quote belongs to the sentence
  EXPECT_EQ(rank_at(text, after(text, "Stop!\"")), kSentence);
  EXPECT_EQ(rank_at(text, after(text, "example.")), kGrapheme);
  EXPECT_EQ(rank_at(text, after(text, "com?")), kSentence);
  EXPECT_EQ(rank_at(text, after(text, "said")), kWord);
}

TEST(IngestTextBoundaries, CjkSentenceAndWordBoundaries) {
  const std::string text = "\xE4\xB8\xAD\xE6\x96\x87\xE3\x80\x82"  // 中文。
                           "\xE7\x9C\x9F\xE7\x9A\x84\xEF\xBC\x81\xEF\xBC\x9F\xE2\x80\x9D"  // 真的！？”
                           "\xE7\x84\xB6\xE5\x90\x8E\xEF\xBC\x9B"  // 然后；
                           "abc";
  EXPECT_EQ(rank_at(text, 3), kWord);       // between 中 and 文
  EXPECT_EQ(rank_at(text, 1), kNoBreak);    // inside 中
  EXPECT_EQ(rank_at(text, after(text, "\xE3\x80\x82")), kSentence);              // after 。
  EXPECT_EQ(rank_at(text, after(text, "\xEF\xBC\x81")), kWord);                  // between ！ and ？
  EXPECT_EQ(rank_at(text, after(text, "\xEF\xBC\x9F")), kWord);                  // before the closing ”
  EXPECT_EQ(rank_at(text, after(text, "\xE2\x80\x9D")), kSentence);              // after ！？”
  EXPECT_EQ(rank_at(text, after(text, "\xEF\xBC\x9B")), kSentence);              // after ；, before abc
  EXPECT_EQ(rank_at(text, after(text, "a")), kGrapheme);
}

TEST(IngestTextBoundaries, GraphemesAndCodePoints) {
  const std::string text = "e\xCC\x81x "                        // e + combining acute, x
                           "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"   // thumbs up + skin tone
                           "\xF0\x9F\x91\x8D";                  // thumbs up
  EXPECT_EQ(rank_at(text, 1), kCodepoint);  // before the combining mark
  EXPECT_EQ(rank_at(text, 2), kNoBreak);    // inside it
  EXPECT_EQ(rank_at(text, 3), kGrapheme);
  const size_t thumbs = text.find("\xF0\x9F\x91\x8D");
  EXPECT_EQ(rank_at(text, thumbs + 2), kNoBreak);
  EXPECT_EQ(rank_at(text, thumbs + 4), kCodepoint);  // emoji + modifier is one grapheme
  EXPECT_EQ(rank_at(text, thumbs + 8), kGrapheme);
}

TEST(IngestTextBoundaries, SectionsAndPagesAreStructuralOverAdjacentWhitespace) {
  const std::string text = "intro words\n\n# Head\nbody text here\f\fnext page";
  const size_t head = text.find("# Head");
  const size_t page2 = text.find("next");
  const std::vector<Section> sections = {{head, text.size(), "Head"}};
  const std::vector<Page> pages = {{0, text.find("\f"), 1}, {page2, text.size(), 2}};
  const auto b = find_text_boundaries(text, sections, pages);
  for (size_t p = after(text, "words"); p <= head; ++p) {
    EXPECT_EQ(b.rank[p], kSection) << p;
    EXPECT_EQ(b.heading[p], 1) << p;
  }
  EXPECT_EQ(b.heading[head + 1], 0);
  for (size_t p = after(text, "here"); p <= page2; ++p) {
    EXPECT_EQ(b.rank[p], kSection) << p;
    EXPECT_EQ(b.heading[p], 0) << p;
  }
  EXPECT_EQ(b.rank[text.find("body") + 4], kWord);
}

TEST(IngestTextBoundaries, OutOfRangeStructureIsIgnored) {
  const std::string text = "ab";
  const auto b = find_text_boundaries(text, {{1, 99, "x"}, {50, 60, "y"}}, {{0, 1000, 1}});
  EXPECT_EQ(b.rank[1], kSection);
  EXPECT_EQ(b.heading[1], 1);
}

TEST(IngestTextBoundaries, SectionInsideACharacterSnapsToItsStart) {
  const std::string text = "a\xE4\xB8\xAD" "b";
  const auto b = find_text_boundaries(text, {{2, 4, "odd"}}, {});
  EXPECT_EQ(b.rank[2], kNoBreak);
  EXPECT_EQ(b.rank[1], kSection);
}

TEST(IngestTextBoundaries, IsCjk) {
  for (char32_t c : {U'\u4E2D', U'\u3042', U'\u30A2', U'\uAC00', U'\u3002', U'\uFF01', U'\U00020000'})
    EXPECT_TRUE(is_cjk(c)) << static_cast<uint32_t>(c);
  for (char32_t c : {U'a', U'\u00E9', U'\u0416', U'\U0001F44D', U' '}) EXPECT_FALSE(is_cjk(c)) << static_cast<uint32_t>(c);
}

}  // namespace
}  // namespace ragrt::ingest::test
