#include <cmath>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/beir.h"
#include "ragrt/error.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;

TEST(BeirMetrics, NdcgUsesExponentialGainAndTheIdealOrderOfAllJudgements) {
  std::map<std::string, int> grades = {{"a", 3}, {"b", 1}, {"c", 0}, {"d", 2}};
  // Ideal: a(7) d(3) b(1) -> 7 + 3/log2(3) + 1/2.
  const double ideal = 7.0 + 3.0 / std::log2(3.0) + 0.5;
  EXPECT_NEAR(ndcg_at({"a", "d", "b"}, grades, 10), 1.0, 1e-12);
  EXPECT_NEAR(ndcg_at({"x", "a"}, grades, 10), (7.0 / std::log2(3.0)) / ideal, 1e-12);
  EXPECT_NEAR(ndcg_at({"c", "b"}, grades, 10), (1.0 / std::log2(3.0)) / ideal, 1e-12);
  // Only the first k ranks count; the ideal is cut at k too.
  EXPECT_NEAR(ndcg_at({"x", "a"}, grades, 1), 0.0, 1e-12);
  EXPECT_NEAR(ndcg_at({"d"}, grades, 1), 3.0 / 7.0, 1e-12);
  EXPECT_EQ(ndcg_at({}, grades, 10), 0.0);
}

TEST(BeirMetrics, RecallCountsRelevantDocumentsWithinK) {
  std::map<std::string, int> grades = {{"a", 1}, {"b", 2}, {"c", 0}, {"d", 1}};
  EXPECT_NEAR(recall_at({"a", "c", "x", "b"}, grades, 10), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(recall_at({"a", "c", "x", "b"}, grades, 3), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(recall_at({"c"}, grades, 10), 0.0);
}

TEST(BeirMetrics, MrrIsTheReciprocalRankOfTheFirstRelevant) {
  std::map<std::string, int> grades = {{"a", 0}, {"b", 2}};
  EXPECT_NEAR(mrr_at({"a", "x", "b"}, grades, 10), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(mrr_at({"a", "x", "b"}, grades, 2), 0.0);
  EXPECT_EQ(mrr_at({"b"}, grades, 10), 1.0);
}

class BeirLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "beir_load" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "qrels");
    write("corpus.jsonl", "{\"_id\":\"d1\",\"title\":\"T\",\"text\":\"x\"}\n{\"_id\":\"d2\",\"text\":\"y\"}\n");
    write("queries.jsonl", "{\"_id\":\"q1\",\"text\":\"what\"}\n{\"_id\":\"q2\",\"text\":\"who\"}\n");
    write("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t0\n");
  }
  void write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }
  fs::path dir_;
};

TEST_F(BeirLoadTest, ReadsCorpusQueriesAndGradedQrels) {
  BeirDataset d = load_beir(dir_);
  ASSERT_EQ(d.corpus.size(), 2u);
  EXPECT_EQ(d.corpus[0].title, "T");
  EXPECT_EQ(d.queries.at("q2"), "who");
  EXPECT_EQ(d.qrels.at("q1").at("d1"), 2);
  // q2's only judgement is "not relevant": it cannot be scored, so it is not evaluated.
  EXPECT_THAT(d.judged_queries(), ::testing::ElementsAre("q1"));
}

TEST_F(BeirLoadTest, ErrorsNameTheFileAndLine) {
  write("qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\n");
  try {
    load_beir(dir_);
    FAIL() << "a qrels line with two fields was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("test.tsv"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("line 2"));
  }
  write("qrels/test.tsv", "query-id\tcorpus-id\tscore\n");
  write("corpus.jsonl", "{\"_id\":\"d1\",\"text\":\"x\"}\nnot json\n");
  try {
    load_beir(dir_);
    FAIL() << "an invalid corpus line was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("corpus.jsonl"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("line 2"));
  }
  fs::remove(dir_ / "queries.jsonl");
  EXPECT_THROW(load_beir(dir_), Error);
}

}  // namespace
}  // namespace ragrt
