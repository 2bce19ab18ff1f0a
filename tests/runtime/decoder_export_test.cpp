// The synthetic decoder (scripts/make_test_models.py, Optimum's with-past layout) must run under
// ONNX Runtime and give the same logits with and without its KV cache: the later generation engine
// relies on both.
#include <cmath>

#include <gtest/gtest.h>

#include "ragrt/runtime/environment.h"
#include "ragrt/runtime/session.h"
#include "runtime/test_models.h"

using namespace ragrt::runtime;

namespace {

constexpr int64_t kLayers = 2, kKvHeads = 2, kHeadDim = 8, kVocab = 151936;

struct Step {
  std::vector<float> logits;           // [seq, vocab] for batch 1
  std::vector<std::vector<float>> kv;  // present.{i}.key/value, [1, kv, total, d]
  int64_t total = 0;
};

Step run_step(const Session& s, std::vector<int64_t> ids, int64_t past_len, const std::vector<std::vector<float>>& past) {
  const int64_t seq = static_cast<int64_t>(ids.size());
  std::vector<int64_t> mask(past_len + seq, 1);
  std::vector<int64_t> pos(seq);
  for (int64_t i = 0; i < seq; ++i) pos[i] = past_len + i;
  std::vector<Ort::Value> in;
  std::vector<std::string> names{"input_ids", "attention_mask", "position_ids"};
  std::vector<int64_t> shape{1, seq}, mask_shape{1, past_len + seq};
  in.push_back(Ort::Value::CreateTensor<int64_t>(cpu_memory_info(), ids.data(), ids.size(), shape.data(), 2));
  in.push_back(Ort::Value::CreateTensor<int64_t>(cpu_memory_info(), mask.data(), mask.size(), mask_shape.data(), 2));
  in.push_back(Ort::Value::CreateTensor<int64_t>(cpu_memory_info(), pos.data(), pos.size(), shape.data(), 2));
  std::vector<int64_t> past_shape{1, kKvHeads, past_len, kHeadDim};
  static float empty = 0;
  std::vector<std::string> outputs{"logits"};
  for (int64_t l = 0; l < kLayers; ++l) {
    for (const char* kind : {"key", "value"}) {
      names.push_back("past_key_values." + std::to_string(l) + "." + kind);
      outputs.push_back("present." + std::to_string(l) + "." + kind);
      auto& buf = past[names.size() - 4];
      float* data = buf.empty() ? &empty : const_cast<float*>(buf.data());
      in.push_back(Ort::Value::CreateTensor<float>(cpu_memory_info(), data, buf.size(), past_shape.data(), 4));
    }
  }
  std::vector<const char*> in_names, out_names;
  for (auto& n : names) in_names.push_back(n.c_str());
  for (auto& n : outputs) out_names.push_back(n.c_str());
  auto out = s.run(in_names, in, out_names);
  Step step;
  step.total = past_len + seq;
  auto logits_shape = out[0].GetTensorTypeAndShapeInfo().GetShape();
  EXPECT_EQ(logits_shape, (std::vector<int64_t>{1, seq, kVocab}));
  step.logits.assign(out[0].GetTensorData<float>(), out[0].GetTensorData<float>() + seq * kVocab);
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i].GetTensorTypeAndShapeInfo().GetShape(), (std::vector<int64_t>{1, kKvHeads, step.total, kHeadDim}));
    const float* p = out[i].GetTensorData<float>();
    step.kv.emplace_back(p, p + kKvHeads * step.total * kHeadDim);
  }
  return step;
}

}  // namespace

TEST(DecoderExport, CachedDecodingMatchesFullPrefill) {
  auto s = Session::open(ragrt::testing::test_model_onnx("llama-tiny"));
  const std::vector<int64_t> ids{9707, 11, 1879, 0, 151644, 42};  // arbitrary ids within the vocab
  const std::vector<std::vector<float>> no_past(2 * kLayers);
  Step full = run_step(*s, ids, 0, no_past);

  Step step = run_step(*s, {ids.begin(), ids.begin() + 4}, 0, no_past);
  std::vector<float> cached(step.logits);
  for (size_t t = 4; t < ids.size(); ++t) {
    step = run_step(*s, {ids[t]}, static_cast<int64_t>(t), step.kv);
    cached.insert(cached.end(), step.logits.begin(), step.logits.end());
  }
  ASSERT_EQ(cached.size(), full.logits.size());
  float max_gap = 0, max_abs = 0;
  for (size_t i = 0; i < cached.size(); ++i) {
    max_gap = std::max(max_gap, std::abs(cached[i] - full.logits[i]));
    max_abs = std::max(max_abs, std::abs(full.logits[i]));
  }
  EXPECT_LT(max_gap, 1e-4f);
  EXPECT_GT(max_abs, 0.1f);  // the logits carry signal, so agreement means something
}
