#include "generate/sampler.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "test_helpers.h"

namespace ragrt::generate {
namespace {

using ::testing::HasSubstr;

ResolvedSampling params(std::function<void(SamplingParams&)> set) {
  SamplingParams p;
  p.seed = 42;
  set(p);
  return resolve_sampling(p, {});
}

// Token frequencies over many draws from the same logits.
std::map<int32_t, int> draws(const ResolvedSampling& p, const std::vector<float>& logits, int n = 4000) {
  Sampler sampler(p);
  std::map<int32_t, int> counts;
  for (int i = 0; i < n; ++i) {
    auto copy = logits;
    counts[sampler.next(copy, {})]++;
  }
  return counts;
}

const std::vector<float> kLogits{1.0f, 3.0f, 2.5f, -1.0f, 2.9f, 0.0f};

TEST(SamplerTest, GreedyTakesTheFirstMaximum) {
  auto p = params([](auto& s) { s.do_sample = false; });
  Sampler sampler(p);
  std::vector<float> logits{0.5f, 2.0f, 2.0f, 1.0f};
  EXPECT_EQ(sampler.next(logits, {}), 1);
}

TEST(SamplerTest, TemperatureZeroIsGreedyEvenWithDoSample) {
  auto p = params([](auto& s) { s.do_sample = true, s.temperature = 0.0f; });
  EXPECT_FALSE(p.do_sample);
  EXPECT_EQ(draws(p, kLogits, 50), (std::map<int32_t, int>{{1, 50}}));
}

TEST(SamplerTest, SettingATemperatureAloneMeansSampling) {
  EXPECT_TRUE(params([](auto& s) { s.temperature = 0.7f; }).do_sample);
  EXPECT_FALSE(params([](auto& s) { s.top_k = 5; }).do_sample);  // generation_config semantics otherwise
}

TEST(SamplerTest, TopKOneIsGreedy) {
  auto p = params([](auto& s) { s.do_sample = true, s.top_k = 1; });
  EXPECT_EQ(draws(p, kLogits, 200), (std::map<int32_t, int>{{1, 200}}));
}

TEST(SamplerTest, TopKKeepsOnlyTheBestK) {
  auto p = params([](auto& s) { s.do_sample = true, s.top_k = 3; });
  auto counts = draws(p, kLogits);
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_TRUE(counts.count(1) && counts.count(4) && counts.count(2));
}

TEST(SamplerTest, TopPKeepsTheSmallestNucleus) {
  // softmax of kLogits: token 1 ~0.35, 4 ~0.32, 2 ~0.21, 0 ~0.05, 5 ~0.02, 3 ~0.01.
  auto p = params([](auto& s) { s.do_sample = true, s.top_p = 0.5f; });
  auto counts = draws(p, kLogits);
  EXPECT_EQ(counts.size(), 2u);  // 0.35 < 0.5 <= 0.35 + 0.32
  EXPECT_TRUE(counts.count(1) && counts.count(4));
  auto tiny = params([](auto& s) { s.do_sample = true, s.top_p = 0.01f; });
  EXPECT_EQ(draws(tiny, kLogits, 100), (std::map<int32_t, int>{{1, 100}}));
}

TEST(SamplerTest, TopPOverALargeVocabularyWidensTheSortedPrefix) {
  // 20k nearly equal logits: the nucleus needs far more than the first 256 sorted tokens.
  std::vector<float> logits(20000, 0.0f);
  logits[7] = 0.01f;
  auto p = params([](auto& s) { s.do_sample = true, s.top_p = 0.9f; });
  auto counts = draws(p, logits, 400);
  EXPECT_GT(counts.size(), 300u);
}

TEST(SamplerTest, MinPDropsUnlikelyTokens) {
  // min_p 0.5: tokens below half the top probability (0.35) go: keeps 1 (0.35) and 4 (0.32), 2 (0.21 >= 0.175).
  auto p = params([](auto& s) { s.do_sample = true, s.min_p = 0.5f; });
  auto counts = draws(p, kLogits);
  EXPECT_EQ(counts.size(), 3u);
  EXPECT_FALSE(counts.count(0) || counts.count(3) || counts.count(5));
}

TEST(SamplerTest, FrequenciesFollowTheSoftmax) {
  auto p = params([](auto& s) { s.do_sample = true; });
  std::vector<float> logits{std::log(0.7f), std::log(0.2f), std::log(0.1f)};
  auto counts = draws(p, logits, 20000);
  EXPECT_NEAR(counts[0] / 20000.0, 0.7, 0.02);
  EXPECT_NEAR(counts[1] / 20000.0, 0.2, 0.02);
  EXPECT_NEAR(counts[2] / 20000.0, 0.1, 0.02);
}

TEST(SamplerTest, RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  auto p = params([](auto& s) { s.do_sample = false, s.repetition_penalty = 2.0f; });
  Sampler sampler(p);
  std::vector<float> logits{3.0f, 2.0f, -1.0f};
  std::vector<int32_t> history{0, 0, 2};
  EXPECT_EQ(sampler.next(logits, history), 1);  // 3 / 2 = 1.5 < 2
  EXPECT_FLOAT_EQ(logits[0], 1.5f);             // once, although seen twice
  EXPECT_FLOAT_EQ(logits[2], -2.0f);
}

// OpenAI's definitions: over the generated tokens only, frequency per occurrence, presence once;
// the bias is added.
TEST(SamplerTest, FrequencyAndPresencePenaltiesAndLogitBias) {
  const std::vector<int32_t> prompt{1, 1, 1};  // the prompt's tokens are not penalized
  {
    Sampler sampler(params([](auto& s) { s.do_sample = false, s.frequency_penalty = 0.3f; }));
    std::vector<float> logits{1.0f, 1.5f, 0.5f};
    EXPECT_EQ(sampler.next(logits, prompt, std::vector<int32_t>{1, 1}), 0);  // 1.5 - 2 * 0.3 = 0.9
    EXPECT_FLOAT_EQ(logits[1], 0.9f);
    EXPECT_FLOAT_EQ(logits[0], 1.0f);
  }
  {
    Sampler sampler(params([](auto& s) { s.do_sample = false, s.presence_penalty = 0.4f; }));
    std::vector<float> logits{1.0f, 1.5f, 0.5f};
    EXPECT_EQ(sampler.next(logits, prompt, std::vector<int32_t>{1, 1, 1}), 1);  // 1.5 - 0.4, once
    EXPECT_FLOAT_EQ(logits[1], 1.1f);
  }
  {
    Sampler sampler(params([](auto& s) { s.do_sample = false, s.logit_bias = {{2, 100.0f}, {1, -100.0f}, {7, 5.0f}}; }));
    std::vector<float> logits{1.0f, 1.5f, 0.5f};
    EXPECT_EQ(sampler.next(logits, prompt), 2);  // an id past the vocabulary is ignored
    EXPECT_FLOAT_EQ(logits[1], -98.5f);
  }
  auto bad = [](auto set) {
    SamplingParams s;
    set(s);
    return ragrt::testing::error_of([&] { resolve_sampling(s, {}); }, ErrorKind::kInvalidArgument);
  };
  EXPECT_THAT(bad([](auto& s) { s.frequency_penalty = 2.5f; }), HasSubstr("frequency_penalty must be in [-2, 2]"));
  EXPECT_THAT(bad([](auto& s) { s.presence_penalty = -3.0f; }), HasSubstr("presence_penalty must be in [-2, 2]"));
  EXPECT_THAT(bad([](auto& s) { s.logit_bias = {{3, 101.0f}}; }), HasSubstr("logit_bias"));
}

TEST(SamplerTest, SameSeedSameDraws) {
  auto p = params([](auto& s) { s.do_sample = true, s.seed = 99; });
  Sampler a(p), b(p);
  for (int i = 0; i < 100; ++i) {
    auto x = kLogits, y = kLogits;
    EXPECT_EQ(a.next(x, {}), b.next(y, {}));
  }
}

TEST(SamplerTest, RequestOverridesModelDefaultsFieldByField) {
  SamplingParams model;
  model.do_sample = true;
  model.temperature = 0.6f;
  model.top_p = 0.9f;
  SamplingParams request;
  request.top_p = 0.5f;
  auto r = resolve_sampling(request, model);
  EXPECT_TRUE(r.do_sample);
  EXPECT_FLOAT_EQ(r.temperature, 0.6f);
  EXPECT_FLOAT_EQ(r.top_p, 0.5f);
  EXPECT_EQ(r.max_new_tokens, 256u);
}

TEST(SamplerTest, OutOfRangeValuesNameTheField) {
  auto expect_error = [](std::function<void(SamplingParams&)> set, const std::string& field) {
    SamplingParams p;
    set(p);
    try {
      resolve_sampling(p, {});
      ADD_FAILURE() << field << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expect_error([](auto& s) { s.temperature = -1.0f; }, "temperature");
  expect_error([](auto& s) { s.top_p = 0.0f; }, "top_p");
  expect_error([](auto& s) { s.top_p = 1.5f; }, "top_p");
  expect_error([](auto& s) { s.min_p = 2.0f; }, "min_p");
  expect_error([](auto& s) { s.repetition_penalty = 0.0f; }, "repetition_penalty");
  expect_error([](auto& s) { s.max_new_tokens = 0; }, "max_new_tokens");
  expect_error([](auto& s) { s.stop = {""}; }, "stop");
}

}  // namespace
}  // namespace ragrt::generate
