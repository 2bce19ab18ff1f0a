// CitationNumbers: [n] markers renumbered in reading order, whole or streamed in pieces.
#include "agent/citation_numbers.h"

#include <gtest/gtest.h>

namespace ragrt::agent {
namespace {

TEST(CitationNumbers, NumbersFollowTheOrderOfFirstUse) {
  CitationNumbers n({"1", "2", "3", "4"});
  EXPECT_EQ(n.feed("Late [4]. Early [1]. Again [4]. Both [1, 2]."), "Late [1]. Early [2]. Again [1]. Both [2, 3].");
  EXPECT_EQ(n.flush(), "");
  EXPECT_EQ(n.order(), (std::vector<std::string>{"4", "1", "2"}));
}

TEST(CitationNumbers, OtherBracketsAreLeftAsWritten) {
  CitationNumbers n({"1", "2"});
  EXPECT_EQ(n.feed("See [7], [a], [] and [2, 9] then [2]."), "See [7], [a], [] and [2, 9] then [1].");
  EXPECT_EQ(n.order(), (std::vector<std::string>{"2"}));
}

TEST(CitationNumbers, AMarkerCutBetweenPiecesIsHeldUntilWhole) {
  CitationNumbers n({"1", "2", "3"});
  std::string out;
  for (const char* piece : {"Refunds take five days [", "3", "]; returns 30 days [2", "]. End [1"}) out += n.feed(piece);
  EXPECT_EQ(out, "Refunds take five days [1]; returns 30 days [2]. End ");
  EXPECT_EQ(n.flush(), "[1");  // never closed: shown as it came, not renumbered
  EXPECT_EQ(n.text(), out + "[1");
}

}  // namespace
}  // namespace ragrt::agent
