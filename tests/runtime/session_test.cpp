#include "ragrt/runtime/session.h"

#include <cmath>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "ragrt/runtime/environment.h"
#include "runtime/test_models.h"

using namespace ragrt::runtime;
using ragrt::testing::test_model_onnx;

namespace {

Ort::Value int64_tensor(std::vector<int64_t>& data, std::vector<int64_t> shape) {
  return Ort::Value::CreateTensor<int64_t>(cpu_memory_info(), data.data(), data.size(), shape.data(), shape.size());
}

// Runs bert-mean on a fixed 2x5 batch and returns last_hidden_state.
std::vector<float> run_bert(const Session& s) {
  std::vector<int64_t> ids{101, 7592, 2088, 102, 0, 101, 2023, 2003, 1037, 102};
  std::vector<int64_t> mask{1, 1, 1, 1, 0, 1, 1, 1, 1, 1};
  std::vector<int64_t> types(10, 0);
  std::vector<Ort::Value> in;
  in.push_back(int64_tensor(ids, {2, 5}));
  in.push_back(int64_tensor(mask, {2, 5}));
  in.push_back(int64_tensor(types, {2, 5}));
  auto out = s.run({"input_ids", "attention_mask", "token_type_ids"}, in, {"last_hidden_state"});
  auto shape = out[0].GetTensorTypeAndShapeInfo().GetShape();
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 5, 64}));
  const float* p = out[0].GetTensorData<float>();
  return std::vector<float>(p, p + 2 * 5 * 64);
}

std::string error_of(const std::function<void()>& f, ragrt::ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const ragrt::Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Session, DiscoversInputsAndOutputsFromTheModel) {
  auto s = Session::open(test_model_onnx("bert-mean"));
  EXPECT_EQ(s->provider(), Provider::kCpu);
  ASSERT_EQ(s->attempts().size(), 1u);
  EXPECT_TRUE(s->attempts()[0].loaded);
  ASSERT_EQ(s->inputs().size(), 3u);
  const TensorInfo* ids = s->find_input("input_ids");
  ASSERT_NE(ids, nullptr);
  EXPECT_EQ(ids->type, ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64);
  EXPECT_EQ(ids->shape, (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(ids->dim_names, (std::vector<std::string>{"batch_size", "sequence_length"}));
  EXPECT_EQ(ids->describe(), "input_ids (int64 [batch_size, sequence_length])");
  const TensorInfo* out = s->find_output("last_hidden_state");
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->describe(), "last_hidden_state (float [batch_size, sequence_length, 64])");
  EXPECT_EQ(s->find_input("position_ids"), nullptr);
}

TEST(Session, DiscoversTheDecoderCacheLayout) {
  auto s = Session::open(test_model_onnx("llama-tiny"));
  const TensorInfo* past = s->find_input("past_key_values.1.value");
  ASSERT_NE(past, nullptr);
  EXPECT_EQ(past->describe(), "past_key_values.1.value (float [batch_size, 2, past_sequence_length, 8])");
  const TensorInfo* present = s->find_output("present.0.key");
  ASSERT_NE(present, nullptr);
  EXPECT_EQ(present->describe(), "present.0.key (float [batch_size, 2, total_sequence_length, 8])");
  EXPECT_EQ(s->find_output("logits")->shape, (std::vector<int64_t>{-1, -1, 151936}));
}

TEST(Session, FallsBackFromCudaToCpuAndLogsWhy) {
  ragrt::testing::CapturedLog log;
  SessionParams p;
  p.providers = {Provider::kCuda, Provider::kCpu};
  auto s = Session::open(test_model_onnx("bert-mean"), p);
  EXPECT_EQ(s->provider(), Provider::kCpu);
  ASSERT_EQ(s->attempts().size(), 2u);
  EXPECT_EQ(s->attempts()[0].provider, Provider::kCuda);
  EXPECT_FALSE(s->attempts()[0].loaded);
  EXPECT_FALSE(s->attempts()[0].reason.empty());
  EXPECT_TRUE(s->attempts()[1].loaded);
  EXPECT_NE(log.text().find("execution provider cuda unavailable"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("falling back to cpu"), std::string::npos) << log.text();
  run_bert(*s);
}

TEST(Session, TensorRtFallsThroughCudaToCpu) {
  ragrt::testing::CapturedLog log;
  SessionParams p = SessionParams::from_yaml("providers: [tensorrt, cuda, cpu]");
  auto s = Session::open(test_model_onnx("bert-mean"), p);
  EXPECT_EQ(s->provider(), Provider::kCpu);
  ASSERT_EQ(s->attempts().size(), 3u);
  EXPECT_NE(log.text().find("tensorrt unavailable"), std::string::npos);
  EXPECT_NE(log.text().find("falling back to cuda"), std::string::npos);
}

TEST(Session, FailsWhenNoRequestedProviderLoads) {
  SessionParams p;
  p.providers = {Provider::kCuda};
  std::string msg = error_of([&] { Session::open(test_model_onnx("bert-mean"), p); });
  EXPECT_NE(msg.find("model.onnx: no requested execution provider could be used; cuda: "), std::string::npos) << msg;
}

TEST(Session, MissingModelIsNotFound) {
  ragrt::ErrorKind kind{};
  std::string msg = error_of([] { Session::open("/nonexistent/dir/model.onnx"); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kNotFound);
  EXPECT_NE(msg.find("/nonexistent/dir/model.onnx: model file not found"), std::string::npos) << msg;
}

TEST(Session, CorruptModelNamesTheFile) {
  auto path = std::filesystem::path(::testing::TempDir()) / "corrupt_model.onnx";
  {
    std::ofstream f(path, std::ios::binary);
    std::mt19937 rng(1);
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(rng() & 0xff));
  }
  SessionParams p;
  p.providers = {Provider::kCuda, Provider::kCpu};
  ragrt::ErrorKind kind{};
  std::string msg = error_of([&] { Session::open(path, p); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(msg.find(path.string() + ": ONNX Runtime cannot load this model"), std::string::npos) << msg;
  std::filesystem::remove(path);
}

TEST(Session, RequireInputExplainsTheMismatch) {
  auto s = Session::open(test_model_onnx("bad-inputs"));
  ragrt::ErrorKind kind{};
  std::string msg = error_of(
      [&] {
        s->require_input("embedder", {"input_ids", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}});
      },
      &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(msg.find("model.onnx: embedder needs input 'input_ids' (int64 [batch, seq]); the model has inputs: "
                     "tokens (int32 [batch_size, sequence_length])"),
            std::string::npos)
      << msg;
  // Right name, wrong element type and rank.
  msg = error_of([&] {
    s->require_input("embedder", {"tokens", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64}, {"batch", "seq"}});
  });
  EXPECT_NE(msg.find("needs input 'tokens' (int64 [batch, seq])"), std::string::npos) << msg;
  msg = error_of([&] {
    s->require_output("embedder", {"last_hidden_state", {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT}, {"b", "s"}});
  });
  EXPECT_NE(msg.find("needs output 'last_hidden_state' (float [b, s]); the model has outputs: last_hidden_state "
                     "(float [batch_size, sequence_length, 8])"),
            std::string::npos)
      << msg;
  EXPECT_EQ(s->require_input("x", {"tokens", {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32}, {"b", "s"}}).name, "tokens");
}

TEST(Session, OptimizationLevelsAndArenaSettingsComputeTheSameOutputs) {
  std::vector<float> reference = run_bert(*Session::open(test_model_onnx("bert-mean"), SessionParams::from_yaml(
                                                                                           "graph_optimization: disable")));
  auto optimized = std::filesystem::path(::testing::TempDir()) / "bert-mean.optimized.onnx";
  std::filesystem::remove(optimized);
  for (const char* yaml : {"graph_optimization: basic", "graph_optimization: extended",
                           "{graph_optimization: all, arena_extend_strategy: same_as_requested, intra_op_threads: 1}",
                           "{cpu_mem_arena: false, memory_pattern: false, allow_spinning: false}",
                           "{parallel_execution: true, inter_op_threads: 2}"}) {
    SCOPED_TRACE(yaml);
    SessionParams p = SessionParams::from_yaml(yaml);
    if (std::string(yaml).find("same_as_requested") != std::string::npos) p.optimized_model_path = optimized.string();
    std::vector<float> got = run_bert(*Session::open(test_model_onnx("bert-mean"), p));
    ASSERT_EQ(got.size(), reference.size());
    float max_gap = 0;
    for (size_t i = 0; i < got.size(); ++i) max_gap = std::max(max_gap, std::abs(got[i] - reference[i]));
    EXPECT_LT(max_gap, 1e-4f);
  }
  // The optimized graph was written and is itself loadable.
  ASSERT_TRUE(std::filesystem::exists(optimized));
  run_bert(*Session::open(optimized, SessionParams::from_yaml("graph_optimization: disable")));
  std::filesystem::remove(optimized);
}

TEST(Session, RunErrorsNameTheModel) {
  auto s = Session::open(test_model_onnx("bert-mean"));
  std::vector<int64_t> ids{101, 102};
  std::vector<Ort::Value> in;
  in.push_back(int64_tensor(ids, {1, 2}));
  std::string msg = error_of([&] { s->run({"input_ids"}, in, {"last_hidden_state"}); });
  EXPECT_NE(msg.find("model.onnx: inference failed"), std::string::npos) << msg;
}
