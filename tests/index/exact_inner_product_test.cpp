#include "index/exact_inner_product.h"

#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace ragrt {
namespace {

std::vector<float> random_floats(size_t count, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal;
  std::vector<float> values(count);
  for (auto& v : values) v = normal(gen);
  return values;
}

// Reference: double sums, full sort, ties by row.
std::vector<RowScore> reference(const std::vector<float>& query, const std::vector<float>& rows, size_t dim, size_t k) {
  size_t count = rows.size() / dim;
  std::vector<std::pair<double, size_t>> all;
  for (size_t r = 0; r < count; ++r) {
    double sum = 0;
    for (size_t i = 0; i < dim; ++i) sum += double(query[i]) * rows[r * dim + i];
    all.push_back({sum, r});
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::vector<RowScore> best;
  for (size_t i = 0; i < std::min(k, count); ++i) best.push_back({float(all[i].first), all[i].second});
  return best;
}

void expect_same(const std::vector<RowScore>& got, const std::vector<RowScore>& want, size_t dim) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].score, want[i].score, 1e-4 * std::sqrt(double(dim))) << "rank " << i;
    // Near-equal neighbours may swap under a different summation order; the score must then match.
    if (got[i].row != want[i].row) EXPECT_NEAR(got[i].score, want[i].score, 1e-5) << "rank " << i;
  }
}

TEST(ExactInnerProduct, MatchesReferenceForAwkwardDimensions) {
  for (size_t dim : {1u, 3u, 7u, 8u, 31u, 33u, 100u, 384u, 1027u}) {
    auto rows = random_floats(500 * dim, static_cast<uint32_t>(dim));
    auto query = random_floats(dim, 99);
    for (size_t k : {1u, 10u, 500u}) {
      SCOPED_TRACE(testing::Message() << "dim " << dim << " k " << k);
      expect_same(top_k_inner_product(query.data(), rows.data(), 500, dim, k), reference(query, rows, dim, k), dim);
    }
  }
}

TEST(ExactInnerProduct, KLargerThanTableReturnsEveryRowSorted) {
  auto rows = random_floats(5 * 16, 1);
  auto query = random_floats(16, 2);
  auto got = top_k_inner_product(query.data(), rows.data(), 5, 16, 50);
  ASSERT_EQ(got.size(), 5u);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i - 1].score, got[i].score);
}

TEST(ExactInnerProduct, EmptyTableOrZeroKGivesNothing) {
  std::vector<float> query(4, 1.f);
  EXPECT_TRUE(top_k_inner_product(query.data(), nullptr, 0, 4, 10).empty());
  std::vector<float> rows(8, 1.f);
  EXPECT_TRUE(top_k_inner_product(query.data(), rows.data(), 2, 4, 0).empty());
}

TEST(ExactInnerProduct, TiesKeepTheLowerRowFirst) {
  size_t dim = 8;
  std::vector<float> rows(10 * dim, 0.5f);  // ten identical rows
  std::vector<float> query(dim, 1.f);
  auto got = top_k_inner_product(query.data(), rows.data(), 10, dim, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].row, 0u);
  EXPECT_EQ(got[1].row, 1u);
  EXPECT_EQ(got[2].row, 2u);
}

// Split into four parts, the merge must give the same answer as one scan.
TEST(ExactInnerProduct, SplitAcrossThreadsEqualsOneThread) {
  size_t dim = 96, count = 20000;
  auto rows = random_floats(count * dim, 5);
  auto query = random_floats(dim, 6);
  auto one = top_k_inner_product(query.data(), rows.data(), count, dim, 25, {.max_threads = 1});
  auto many = top_k_inner_product(query.data(), rows.data(), count, dim, 25, {.max_threads = 4, .min_floats_per_thread = 1000});
  ASSERT_EQ(one.size(), many.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].row, many[i].row);
    EXPECT_EQ(one[i].score, many[i].score);
  }
  expect_same(one, reference(query, rows, dim, 25), dim);
}

}  // namespace
}  // namespace ragrt
