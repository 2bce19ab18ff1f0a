#include "retrieve/mmr.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ragrt::retrieve {
namespace {

using ::testing::ElementsAre;

std::vector<size_t> order(const std::vector<MmrPick>& picks) {
  std::vector<size_t> out;
  for (const auto& p : picks) out.push_back(p.index);
  return out;
}

TEST(Mmr, NearDuplicatesArePushedDown) {
  // 0 and 1 are the same passage; 2 is different and a little less relevant.
  std::vector<std::vector<float>> v = {{1, 0, 0}, {1, 0.01f, 0}, {0, 1, 0}};
  std::vector<double> rel = {0.9, 0.89, 0.8};
  EXPECT_THAT(order(mmr_select(rel, v, 0.5, 3)), ElementsAre(0, 2, 1));
  // lambda 1 is relevance only.
  EXPECT_THAT(order(mmr_select(rel, v, 1.0, 3)), ElementsAre(0, 1, 2));
}

TEST(Mmr, ObjectiveValueIsReported) {
  std::vector<std::vector<float>> v = {{1, 0}, {0.6f, 0.8f}};
  auto picks = mmr_select({0.9, 0.7}, v, 0.7, 2);
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_NEAR(picks[0].value, 0.7 * 0.9, 1e-9);
  EXPECT_NEAR(picks[1].value, 0.7 * 0.7 - 0.3 * 0.6, 1e-6);
  EXPECT_EQ(mmr_select({0.9, 0.7}, v, 0.7, 1).size(), 1u);
  EXPECT_TRUE(mmr_select({}, {}, 0.7, 3).empty());
}

}  // namespace
}  // namespace ragrt::retrieve
