// The vocabulary projection ragrt runs itself (models/lm_head.h) and the graph edit that hands it
// over (models/lm_head_split.h): greedy choices are the argmax of the float logits however close
// the race, with or without the repetition penalty; logits equal the graph's; the export layouts
// it supports are split and the others keep their projection.
#include "models/lm_head.h"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "models/decoder_model.h"
#include "ragrt/model_folder.h"
#include "runtime/test_models.h"
#include "util/simd_dot.h"

namespace ragrt::models {
namespace {

std::vector<float> gaussian(size_t count, uint64_t seed, float scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(count);
  for (float& x : v) x = normal(rng);
  return v;
}

// The answer by definition: every float logit, the penalty, torch.argmax.
int32_t reference_argmax(const LmHead& head, const float* hidden, std::span<const int32_t> penalized = {},
                         float penalty = 1.0f) {
  std::vector<float> all(head.vocab());
  head.logits(std::span(&hidden, 1), all.data());
  for (int32_t id : penalized) all[id] = penalized_logit(all[id], penalty);
  return first_argmax(all);
}

int32_t greedy(const LmHead& head, const float* hidden, std::span<const int32_t> penalized = {},
               float penalty = 1.0f) {
  int32_t token = -1;
  const ArgmaxQuery query{hidden, penalized, penalty};
  head.argmax(std::span(&query, 1), std::span(&token, 1));
  return token;
}

constexpr size_t kVocab = 20000, kHidden = 64;  // enough weights for two threads

// Every test runs on both screens: VNNI (where the CPU has it) and float.
class LmHeadTest : public ::testing::TestWithParam<bool> {
 protected:
  LmHead make(std::vector<float> weight) const { return LmHead(std::move(weight), kVocab, kHidden, 2, GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Screens, LmHeadTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Vnni" : "Float"; });

TEST_P(LmHeadTest, GreedyChoiceIsTheArgmaxOfTheFloatLogitsAndMostRowsAreRuledOutOnInt8) {
  LmHead head = make(gaussian(kVocab * kHidden, 1, 1.0f / 8));
  for (int i = 0; i < 200; ++i) {
    const float scale = 0.05f * static_cast<float>(1 + i % 40);  // flat to peaked distributions
    const std::vector<float> h = gaussian(kHidden, 100 + i, scale);
    ASSERT_EQ(greedy(head, h.data()), reference_argmax(head, h.data())) << "hidden vector " << i;
  }
  EXPECT_EQ(head.uses_vnni(), GetParam() && util::has_vnni());
  const LmHeadStats stats = head.stats();
  EXPECT_EQ(stats.argmax_queries, 200u);
  EXPECT_LT(stats.exact_rows, 200u * kVocab / 20) << "the int8 screen should rule out most of the vocabulary";
}

TEST_P(LmHeadTest, RacesCloserThanTheInt8ErrorAreDecidedOnTheFloatWeights) {
  std::vector<float> w = gaussian(kVocab * kHidden, 2, 1.0f / 8);
  // Rows 100..163 copy row 7 with changes far below an int8 step, so their logits differ by less
  // than the quantization error; rows 500 and 900 are exact copies of row 7 (a true tie).
  const std::vector<float> noise = gaussian(64 * kHidden, 3, 1e-5f);
  for (size_t r = 0; r < 64; ++r) {
    for (size_t i = 0; i < kHidden; ++i) w[(100 + r) * kHidden + i] = w[7 * kHidden + i] + noise[r * kHidden + i];
  }
  for (size_t i = 0; i < kHidden; ++i) w[500 * kHidden + i] = w[900 * kHidden + i] = w[7 * kHidden + i];
  std::vector<float> row7(w.begin() + 7 * kHidden, w.begin() + 8 * kHidden);
  LmHead head = make(std::move(w));
  for (int i = 0; i < 50; ++i) {
    std::vector<float> h = gaussian(kHidden, 200 + i, 0.01f);
    for (size_t j = 0; j < kHidden; ++j) h[j] += 3.0f * row7[j];  // row 7's family leads
    const int32_t expected = reference_argmax(head, h.data());
    ASSERT_TRUE(expected == 7 || (expected >= 100 && expected < 164)) << expected;
    ASSERT_EQ(greedy(head, h.data()), expected) << "hidden vector " << i;
  }
  // A tie goes to the first index, as torch.argmax: with row 7 and its near copies penalized away,
  // rows 500 and 900 tie and 500 wins.
  std::vector<float> h(row7);
  std::vector<int32_t> penalized{7};
  for (int32_t r = 100; r < 164; ++r) penalized.push_back(r);
  EXPECT_EQ(reference_argmax(head, h.data(), penalized, 1e9f), 500);
  EXPECT_EQ(greedy(head, h.data(), penalized, 1e9f), 500);
}

TEST_P(LmHeadTest, RepetitionPenaltyChangesTheChoiceAsOnFullLogits) {
  LmHead head = make(gaussian(kVocab * kHidden, 4, 1.0f / 8));
  std::mt19937_64 rng(5);
  int changed = 0;
  for (int i = 0; i < 100; ++i) {
    const std::vector<float> h = gaussian(kHidden, 300 + i, 1.0f);
    const int32_t plain = reference_argmax(head, h.data());
    // The history holds the plain winner half of the time, plus random tokens.
    std::vector<int32_t> penalized;
    if (i % 2 == 0) penalized.push_back(plain);
    for (int k = 0; k < 30; ++k) penalized.push_back(static_cast<int32_t>(rng() % kVocab));
    std::sort(penalized.begin(), penalized.end());
    penalized.erase(std::unique(penalized.begin(), penalized.end()), penalized.end());
    const float penalty = i % 3 == 0 ? 0.7f : 1.3f + 0.1f * static_cast<float>(i % 5);  // < 1 favours repeats
    const int32_t expected = reference_argmax(head, h.data(), penalized, penalty);
    ASSERT_EQ(greedy(head, h.data(), penalized, penalty), expected) << "hidden vector " << i;
    changed += expected != plain;
  }
  EXPECT_GT(changed, 10) << "the penalty should have changed some choices";
}

TEST_P(LmHeadTest, BatchedCallsAnswerAsSingleOnes) {
  LmHead head = make(gaussian(kVocab * kHidden, 6, 1.0f / 8));
  std::vector<std::vector<float>> hs;
  for (int i = 0; i < 8; ++i) hs.push_back(gaussian(kHidden, 400 + i, 0.5f));
  std::vector<ArgmaxQuery> queries;
  std::vector<const float*> inputs;
  for (const auto& h : hs) queries.push_back({h.data(), {}, 1.0f}), inputs.push_back(h.data());
  std::vector<int32_t> together(8);
  head.argmax(queries, together);
  std::vector<float> all(8 * kVocab);
  head.logits(inputs, all.data());
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(together[i], greedy(head, hs[i].data()));
    std::vector<float> alone(kVocab);
    head.logits(std::span(&inputs[i], 1), alone.data());
    EXPECT_TRUE(std::equal(alone.begin(), alone.end(), all.begin() + static_cast<std::ptrdiff_t>(i * kVocab)))
        << "logits of vector " << i << " depend on the batch";
  }
}

TEST_P(LmHeadTest, NonFiniteHiddenStateTakesEveryLogit) {
  LmHead head = make(gaussian(kVocab * kHidden, 7, 1.0f / 8));
  std::vector<float> h = gaussian(kHidden, 8, 1.0f);
  h[3] = std::numeric_limits<float>::infinity();
  const uint64_t before = head.stats().exact_rows;
  EXPECT_EQ(greedy(head, h.data()), reference_argmax(head, h.data()));
  EXPECT_EQ(head.stats().exact_rows - before, kVocab);
}

// --- the graph edit, on the synthetic decoders ---

std::unique_ptr<DecoderModel> open_decoder(const std::string& name, LmHeadMode mode,
                                           std::vector<runtime::Provider> providers = {runtime::Provider::kCpu}) {
  runtime::SessionParams session;
  session.intra_op_threads = 1;
  session.providers = std::move(providers);
  return DecoderModel::open(ModelFolder::open(testing::test_model_dir(name)), session, "", mode);
}

// A 9-token prompt through `model`: every position's logits.
std::vector<std::vector<float>> prompt_logits(const DecoderModel& model) {
  std::vector<int64_t> ids{9707, 11, 1879, 0, 358, 1079, 151643, 42, 77}, mask(9, 1), positions(9);
  for (size_t i = 0; i < 9; ++i) positions[i] = static_cast<int64_t>(i);
  auto past = model.empty_past(1);
  std::vector<const Ort::Value*> past_ptrs;
  for (const auto& t : past) past_ptrs.push_back(&t);
  DecoderOutput out = model.run({1, 9, 0, ids, mask, positions, past_ptrs});
  EXPECT_EQ(out.rows, 9u);
  std::vector<OutputPosition> all;
  for (size_t p = 0; p < 9; ++p) all.push_back({0, p});
  out.prepare_logits(all);
  std::vector<std::vector<float>> rows;
  for (size_t p = 0; p < 9; ++p) {
    auto row = out.logits_at(0, p);
    rows.emplace_back(row.begin(), row.end());
    const GreedyQuery query{{0, p}, {}, 1.0f};
    EXPECT_EQ(out.argmax(std::span(&query, 1))[0], first_argmax(rows.back())) << "position " << p;
  }
  return rows;
}

void expect_same_logits(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t p = 0; p < a.size(); ++p) {
    ASSERT_EQ(a[p].size(), b[p].size());
    float gap = 0, top = 0;
    for (size_t v = 0; v < a[p].size(); ++v) {
      gap = std::max(gap, std::fabs(a[p][v] - b[p][v]));
      top = std::max(top, std::fabs(b[p][v]));
    }
    EXPECT_LE(gap, 1e-5f * std::max(1.0f, top)) << "position " << p;
    EXPECT_EQ(first_argmax(a[p]), first_argmax(b[p])) << "position " << p;
  }
}

TEST(LmHeadSplitTest, TiedEmbeddingDecoderIsSplitAndGivesTheGraphsLogits) {
  auto split = open_decoder("llama-tiny", LmHeadMode::kAuto);
  auto graph = open_decoder("llama-tiny", LmHeadMode::kGraph);
  ASSERT_NE(split->lm_head(), nullptr);
  EXPECT_EQ(graph->lm_head(), nullptr);
  EXPECT_EQ(split->lm_head()->vocab(), 151936u);
  EXPECT_EQ(split->lm_head()->hidden(), 32u);
  EXPECT_EQ(split->shape().vocab, graph->shape().vocab);
  expect_same_logits(prompt_logits(*split), prompt_logits(*graph));
}

TEST(LmHeadSplitTest, SeparateProjectionWeightInExternalDataIsSplitToo) {
  auto external = open_decoder("llama-tiny-external", LmHeadMode::kAuto);
  auto graph = open_decoder("llama-tiny", LmHeadMode::kGraph);
  ASSERT_NE(external->lm_head(), nullptr);
  expect_same_logits(prompt_logits(*external), prompt_logits(*graph));
}

TEST(LmHeadSplitTest, MergedExportKeepsItsProjectionAndSaysWhy) {
  testing::CapturedLog log;
  auto merged = open_decoder("llama-tiny-merged", LmHeadMode::kAuto);
  EXPECT_EQ(merged->lm_head(), nullptr);
  EXPECT_NE(log.text().find("the vocabulary projection stays in the graph: 'logits' comes from a If node"),
            std::string::npos)
      << log.text();
}

TEST(LmHeadSplitTest, GpuProvidersKeepTheProjectionInTheGraph) {
  testing::CapturedLog log;
  auto model = open_decoder("llama-tiny", LmHeadMode::kAuto, {runtime::Provider::kCuda, runtime::Provider::kCpu});
  EXPECT_EQ(model->lm_head(), nullptr);
  EXPECT_NE(log.text().find("may run on a GPU"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace ragrt::models
