#include "retrieve/fusion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_retriever.h"
#include "ragrt/error.h"

namespace ragrt::retrieve {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ragrt::testing::FakeRetriever;
using ragrt::testing::ids_of;

std::vector<Hit> hits(const std::string& stage, std::vector<std::pair<int64_t, double>> scored) {
  return FakeRetriever(stage, std::move(scored)).search({"", 100, {}});
}

TEST(Fusion, RrfSumsWeightOverKPlusRank) {
  // bm25: 1, 2, 3; dense: 3, 1.
  std::vector<RankedList> lists = {{1.0, hits("bm25", {{1, 9}, {2, 8}, {3, 7}})}, {2.0, hits("dense", {{3, .9}, {1, .5}})}};
  auto fused = fuse_rrf(lists, 60);
  // 1: 1/61 + 2/62; 3: 1/63 + 2/61; 2: 1/62.
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_THAT(ids_of(fused), ElementsAre(3, 1, 2));
  EXPECT_NEAR(fused[0].score, 1.0 / 63 + 2.0 / 61, 1e-12);
  EXPECT_NEAR(fused[1].score, 1.0 / 61 + 2.0 / 62, 1e-12);
  EXPECT_NEAR(fused[2].score, 1.0 / 62, 1e-12);
  // Every source's score and rank survive, next to the fused ones.
  EXPECT_DOUBLE_EQ(fused[0].stages.at("bm25"), 7);
  EXPECT_DOUBLE_EQ(fused[0].stages.at("dense"), .9);
  EXPECT_EQ(fused[0].ranks.at("bm25"), 3u);
  EXPECT_EQ(fused[0].ranks.at("dense"), 1u);
  EXPECT_EQ(fused[0].ranks.at("fused"), 1u);
  EXPECT_DOUBLE_EQ(fused[0].stages.at("fused"), fused[0].score);
  EXPECT_EQ(fused[2].stages.count("dense"), 0u);
}

TEST(Fusion, RrfKControlsHowMuchTopRanksDominate) {
  // Chunk 1 is first in one list and fifth in the other; chunk 2 is second in both.
  std::vector<RankedList> lists = {{1, hits("bm25", {{1, 3}, {2, 2}})},
                                   {1, hits("dense", {{3, 5}, {2, 4}, {5, 3}, {6, 2}, {1, 1}})}};
  // k = 0: 1/1 + 1/5 for chunk 1 beats 1/2 + 1/2 for chunk 2.
  EXPECT_EQ(fuse_rrf(lists, 0).front().chunk_id, 1);
  // k = 60: 1/61 + 1/65 < 2/62.
  EXPECT_EQ(fuse_rrf(lists, 60).front().chunk_id, 2);
}

TEST(Fusion, WeightedNormalizesEachListToUnitRange) {
  std::vector<RankedList> lists = {{1.0, hits("bm25", {{1, 20}, {2, 15}, {3, 10}})},
                                   {0.5, hits("dense", {{2, 0.9}, {3, 0.7}, {4, 0.5}})}};
  auto fused = fuse_weighted(lists);
  // 1: 1; 2: 0.5 + 0.5*1 = 1; 3: 0 + 0.5*0.5 = .25; 4: 0.
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_THAT(ids_of(fused), ElementsAre(1, 2, 3, 4));  // 1 and 2 tie: lower chunk id first
  EXPECT_NEAR(fused[0].score, 1.0, 1e-12);
  EXPECT_NEAR(fused[1].score, 1.0, 1e-12);
  EXPECT_NEAR(fused[2].score, 0.25, 1e-12);
  EXPECT_NEAR(fused[3].score, 0.0, 1e-12);
  // A list whose scores are all equal counts fully for each of its hits.
  auto flat = fuse_weighted({{2.0, hits("bm25", {{7, 3}, {8, 3}})}});
  EXPECT_NEAR(flat[0].score, 2.0, 1e-12);
  EXPECT_NEAR(flat[1].score, 2.0, 1e-12);
}

TEST(Fusion, HybridAsksEachSourceForItsCandidatesAndCutsToK) {
  FakeRetriever bm25("bm25", {{1, 3}, {2, 2}, {3, 1}});
  FakeRetriever dense("dense", {{3, .9}, {4, .8}});
  HybridRetriever hybrid("hybrid", {&bm25, &dense}, {}, Fusion::kRrf, 60, 50);
  SearchRequest req{"q", 2, {}};
  req.filter.doc_ids = {"a"};
  auto out = hybrid.search(req);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].chunk_id, 3);  // in both lists
  ASSERT_EQ(bm25.requests.size(), 1u);
  EXPECT_EQ(bm25.requests[0].k, 50u);
  EXPECT_EQ(dense.requests[0].filter.doc_ids, std::vector<std::string>{"a"});  // filters reach the sources
  EXPECT_THROW(HybridRetriever("h", {&bm25}, {1, 2}, Fusion::kRrf, 60, 10), Error);
}

}  // namespace
}  // namespace ragrt::retrieve
