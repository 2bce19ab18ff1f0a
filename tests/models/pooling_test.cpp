#include "models/pooling.h"

#include <cmath>

#include <gtest/gtest.h>

using ragrt::Pooling;
using ragrt::models::l2_normalize;
using ragrt::models::pool;

namespace {
// 3 tokens x 2 dims; the last token is padding.
const std::vector<float> kHidden{1, 2, 3, -4, 100, 100};
const std::vector<int64_t> kMask{1, 1, 0};

std::vector<float> pooled(Pooling p, const std::vector<float>& hidden = kHidden, const std::vector<int64_t>& mask = kMask) {
  std::vector<float> out(2);
  pool(p, hidden, mask, out);
  return out;
}
}  // namespace

TEST(Pooling, MeanAveragesOnlyMaskedInTokens) { EXPECT_EQ(pooled(Pooling::kMean), (std::vector<float>{2, -1})); }

TEST(Pooling, ClsTakesTheFirstToken) { EXPECT_EQ(pooled(Pooling::kCls), (std::vector<float>{1, 2})); }

TEST(Pooling, MaxIgnoresPadding) { EXPECT_EQ(pooled(Pooling::kMax), (std::vector<float>{3, 2})); }

TEST(Pooling, LastTokenIsTheLastUnpaddedOne) { EXPECT_EQ(pooled(Pooling::kLastToken), (std::vector<float>{3, -4})); }

TEST(Pooling, AllPaddingPoolsToZeros) {
  std::vector<int64_t> none{0, 0, 0};
  EXPECT_EQ(pooled(Pooling::kMean, kHidden, none), (std::vector<float>{0, 0}));
  EXPECT_EQ(pooled(Pooling::kMax, kHidden, none), (std::vector<float>{0, 0}));
  EXPECT_EQ(pooled(Pooling::kLastToken, kHidden, none), (std::vector<float>{0, 0}));
}

TEST(Pooling, RejectsMismatchedSizes) {
  std::vector<float> out(3);
  EXPECT_THROW(pool(Pooling::kMean, kHidden, kMask, out), std::exception);
}

TEST(Normalize, ScalesToUnitLength) {
  std::vector<float> v{3, 4};
  l2_normalize(v);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  std::vector<float> zero{0, 0};
  l2_normalize(zero);  // no division by zero
  EXPECT_EQ(zero, (std::vector<float>{0, 0}));
}
