// `ragrt embed` and `ragrt rerank` print what the library computes, as documented JSON.
#include <array>
#include <cstdio>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ragrt/onnx_embedder.h"
#include "ragrt/onnx_reranker.h"
#include "runtime/test_models.h"
#include "test_helpers.h"

using ragrt::testing::test_model_dir;

namespace {

using ragrt::testing::CliResult;
using ragrt::testing::run_cli;

std::string q(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST(CliEmbed, PrintsOneArrayOfVectorsInInputOrder) {
  const std::string dir = test_model_dir("bert-mean").string();
  CliResult r = run_cli("embed --model " + q(dir) + " --batch-size 2 'Hello world!' '' '机器学习'");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  auto expected = ragrt::OnnxEmbedder::load(dir)->embed(std::vector<std::string>{"Hello world!", "", "机器学习"});
  for (size_t i = 0; i < 3; ++i) {
    auto got = j[i].get<std::vector<float>>();
    ASSERT_EQ(got.size(), 64u);
    for (size_t d = 0; d < got.size(); ++d) EXPECT_NEAR(got[d], expected[i][d], 1e-6f);
  }
}

TEST(CliEmbed, ObjectFormatDescribesTheModelAndFlagsOverrideIt) {
  const std::string dir = test_model_dir("bert-mean").string();
  CliResult r = run_cli("embed --model " + q(dir) +
                  " --format object --pooling cls --no-normalize --provider cuda,cpu --threads 1 --max-length 16 hi");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("dimension"), 64);
  EXPECT_EQ(j.at("pooling"), "cls");
  EXPECT_EQ(j.at("normalized"), false);
  EXPECT_EQ(j.at("max_length"), 16);
  EXPECT_EQ(j.at("provider"), "cpu");  // cuda is not available here: fell back
  ASSERT_EQ(j.at("embeddings").size(), 1u);
}

TEST(CliEmbed, FailsWithAMessageOnABadModel) {
  CliResult r = run_cli("embed --model " + q(test_model_dir("bad-inputs").string()) + " text");
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(r.out.empty());
}

TEST(CliRerank, PrintsScoresSortedWhenAsked) {
  const std::string dir = test_model_dir("cross-encoder").string();
  std::vector<std::string> passages{"machine learning is AI", "paris", ""};
  auto scores = ragrt::OnnxReranker::load(dir)->score("what is ml", passages);
  CliResult r = run_cli("rerank --model " + q(dir) + " -q 'what is ml' 'machine learning is AI' paris ''");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(j[i].at("index"), i);
    EXPECT_NEAR(j[i].at("score").get<float>(), scores[i], 1e-6f);
  }
  r = run_cli("rerank --model " + q(dir) + " -q 'what is ml' --top-k 2 --sigmoid 'machine learning is AI' paris ''");
  ASSERT_EQ(r.status, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_GE(j[0].at("score").get<float>(), j[1].at("score").get<float>());
  for (const auto& item : j) {
    float s = item.at("score");
    EXPECT_GT(s, 0.0f);
    EXPECT_LT(s, 1.0f);
  }
}
