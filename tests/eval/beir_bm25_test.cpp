// BM25 on the public BEIR subsets in ../shared/datasets must stay near the Xapian reference
// measured on the same data (nDCG@10 0.6092 MS MARCO, 0.3426 DBpedia-Entity; see its README).
#include <filesystem>

#include <gtest/gtest.h>

#include "eval/beir_eval.h"

namespace ragrt::eval {
namespace {

namespace fs = std::filesystem;

RetrieverScores bm25_on(const std::string& name) {
  const fs::path dir = fs::path(RAGRT_SHARED_DIR) / "datasets" / name;
  const BeirDataset data = load_beir(dir);
  const fs::path work = fs::path(RAGRT_TEST_WORK_DIR) / ("beir_bm25_" + name);
  fs::remove_all(work);
  fs::create_directories(work);
  BeirRun run = run_beir(data, dir, RagConfig::defaults(""), work / "collection", {"bm25"});
  const RetrieverScores s = run.scores.at(0);
  std::printf("%s: nDCG@10 %.4f Recall@100 %.4f MRR@10 %.4f over %zu queries\n", name.c_str(), s.ndcg_at_10,
              s.recall_at_100, s.mrr_at_10, s.queries);
  return s;
}

TEST(BeirBm25, MsMarcoNearTheReference) {
  RetrieverScores s = bm25_on("msmarco");
  EXPECT_EQ(s.queries, 43u);
  EXPECT_GE(s.ndcg_at_10, 0.58);
  EXPECT_GE(s.recall_at_100, 0.74);
}

TEST(BeirBm25, DbpediaNearTheReference) {
  RetrieverScores s = bm25_on("dbpedia");
  EXPECT_EQ(s.queries, 40u);
  EXPECT_GE(s.ndcg_at_10, 0.31);
  EXPECT_GE(s.recall_at_100, 0.78);
}

}  // namespace
}  // namespace ragrt::eval
