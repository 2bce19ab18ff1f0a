#include "retrieve/rerank_retriever.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_retriever.h"
#include "ragrt/error.h"
#include "index/sqlite_store.h"

namespace ragrt::retrieve {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ragrt::testing::FakeRetriever;
using ragrt::testing::ids_of;

class RerankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One folder per test: ctest runs tests in parallel processes.
    const fs::path dir = fs::path(RAGRT_TEST_WORK_DIR) / "rerank_retriever" /
                         ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir);
    fs::create_directories(dir);
    store_ = std::make_unique<index::SqliteStore>(dir / "c.sqlite", true);
    Document d;
    d.id = "doc";
    d.text = "aaa bb c dddd";
    std::vector<Chunk> chunks;
    for (std::string t : {"aaa", "bb", "c", "dddd"}) {
      Chunk c;
      c.doc_id = "doc";
      c.index = chunks.size();
      c.text = t;
      chunks.push_back(c);
    }
    store_->begin();
    ids_ = store_->put_document(d, "h", chunks, {});
    store_->commit();
  }
  // The "cross-encoder": a passage's score is its length.
  static std::vector<float> by_length(std::string_view, const std::vector<std::string>& passages) {
    std::vector<float> out;
    for (const auto& p : passages) out.push_back(static_cast<float>(p.size()));
    return out;
  }
  std::unique_ptr<index::SqliteStore> store_;
  std::vector<int64_t> ids_;  // aaa, bb, c, dddd
};

TEST_F(RerankTest, OrdersTheTopNByTheCrossEncoderScore) {
  FakeRetriever inner("bm25", {{ids_[2], 4}, {ids_[1], 3}, {ids_[0], 2}, {ids_[3], 1}});
  RerankRetriever rr("r", inner, by_length, *store_, RerankParams{3});
  auto out = rr.search({"q", 4, {}});
  // Top 3 of the inner list (c, bb, aaa) reordered by length; dddd was not scored and follows.
  EXPECT_THAT(ids_of(out), ElementsAre(ids_[0], ids_[1], ids_[2], ids_[3]));
  EXPECT_DOUBLE_EQ(out[0].stages.at("rerank"), 3);
  EXPECT_EQ(out[0].ranks.at("rerank"), 1u);
  EXPECT_EQ(out[0].ranks.at("bm25"), 3u);  // earlier stages are kept
  EXPECT_EQ(out[3].stages.count("rerank"), 0u);
  EXPECT_EQ(inner.requests[0].k, 4u);
  // k below top_n: the inner retriever is still asked for top_n, the result cut to k.
  auto top1 = rr.search({"q", 1, {}});
  EXPECT_THAT(ids_of(top1), ElementsAre(ids_[0]));
  EXPECT_EQ(inner.requests[1].k, 3u);
}

TEST_F(RerankTest, WrongScoreCountIsAnError) {
  FakeRetriever inner("bm25", {{ids_[0], 1}, {ids_[1], 1}});
  RerankRetriever rr("r", inner, [](std::string_view, const std::vector<std::string>&) { return std::vector<float>{1}; },
                     *store_, RerankParams{5});
  EXPECT_THROW(rr.search({"q", 2, {}}), Error);
}

}  // namespace
}  // namespace ragrt::retrieve
