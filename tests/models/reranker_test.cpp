#include "ragrt/onnx_reranker.h"

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "runtime/test_models.h"

using ragrt::OnnxReranker;
using ragrt::RerankerOptions;
using ragrt::testing::test_model_dir;

namespace {
const std::vector<std::string> kPassages{
    "Machine learning is a field of study in artificial intelligence.",
    "The Eiffel Tower is in Paris.",
    "",
    "机器学习是人工智能的一个分支。",
    "Gradient descent minimizes a loss by following its negative gradient, step after step, until it converges.",
};
const std::string kQuery = "what is machine learning?";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ragrt::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Reranker, ScoresEachPassageInOrderIndependentOfBatching) {
  RerankerOptions o;
  o.batch_size = 1;
  auto one = OnnxReranker::load(test_model_dir("cross-encoder"), o);
  std::vector<float> solo;
  for (const auto& p : kPassages) solo.push_back(one->score(kQuery, {p})[0]);
  o.batch_size = 4;
  auto batched = OnnxReranker::load(test_model_dir("cross-encoder"), o);
  auto all = batched->score(kQuery, kPassages);
  ASSERT_EQ(all.size(), kPassages.size());
  for (size_t i = 0; i < kPassages.size(); ++i) EXPECT_NEAR(all[i], solo[i], 1e-5f) << i;
  EXPECT_GT(std::abs(all[0] - all[1]), 1e-3f);  // scores tell passages apart
}

TEST(Reranker, PairOrderMatters) {
  auto r = OnnxReranker::load(test_model_dir("cross-encoder"));
  auto ab = r->score_pairs({{"alpha beta", "gamma delta epsilon"}});
  auto ba = r->score_pairs({{"gamma delta epsilon", "alpha beta"}});
  EXPECT_GT(std::abs(ab[0] - ba[0]), 1e-4f);  // token type ids and order reach the model
}

TEST(Reranker, SigmoidMapsLogitsIntoUnitInterval) {
  auto raw = OnnxReranker::load(test_model_dir("cross-encoder"))->score(kQuery, kPassages);
  RerankerOptions o;
  o.sigmoid = true;
  auto sig = OnnxReranker::load(test_model_dir("cross-encoder"), o)->score(kQuery, kPassages);
  for (size_t i = 0; i < raw.size(); ++i) EXPECT_NEAR(sig[i], 1.0 / (1.0 + std::exp(-raw[i])), 1e-6) << i;
}

TEST(Reranker, ConcurrentCallersThroughTheDynamicBatcher) {
  auto plain = OnnxReranker::load(test_model_dir("cross-encoder"));
  auto expected = plain->score(kQuery, kPassages);
  RerankerOptions o;
  o.dynamic_batching.enabled = true;
  o.dynamic_batching.max_wait = std::chrono::microseconds(2000);
  auto r = OnnxReranker::load(test_model_dir("cross-encoder"), o);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int c = 0; c < 10; ++c) {
        size_t i = (t + c) % kPassages.size();
        auto got = r->score(kQuery, {kPassages[i]});
        if (got.size() != 1 || std::abs(got[0] - expected[i]) > 1e-5f) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Reranker, AnEmbedderIsNotACrossEncoder) {
  std::string msg = error_of([] { OnnxReranker::load(test_model_dir("bert-mean")); });
  EXPECT_NE(msg.find("reranker needs output 'logits' (float [batch, num_labels]); the model has outputs: "
                     "last_hidden_state (float [batch_size, sequence_length, 64])"),
            std::string::npos)
      << msg;
}

TEST(Reranker, LabelMustExist) {
  RerankerOptions o;
  o.label = 3;
  std::string msg = error_of([&] { OnnxReranker::load(test_model_dir("cross-encoder"), o); });
  EXPECT_NE(msg.find("label 3 requested but the model has 1 labels"), std::string::npos) << msg;
}
