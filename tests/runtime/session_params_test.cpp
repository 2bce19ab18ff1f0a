#include "ragrt/runtime/session_params.h"

#include <gtest/gtest.h>

#include "ragrt/error.h"

using namespace ragrt::runtime;

TEST(SessionParams, DefaultsRunOnCpuWithAllOptimizations) {
  SessionParams p;
  ASSERT_EQ(p.providers.size(), 1u);
  EXPECT_EQ(p.providers[0], Provider::kCpu);
  EXPECT_EQ(p.graph_optimization, GraphOptimization::kAll);
  EXPECT_EQ(p.arena_extend_strategy, ArenaExtendStrategy::kNextPowerOfTwo);
}

TEST(SessionParams, ReadsEveryKeyFromYaml) {
  SessionParams p = SessionParams::from_yaml(R"(
providers: [tensorrt, cuda, cpu]
graph_optimization: extended
intra_op_threads: 3
inter_op_threads: 2
parallel_execution: true
allow_spinning: false
memory_pattern: false
cpu_mem_arena: false
arena_extend_strategy: kSameAsRequested
optimized_model_path: /tmp/x.onnx
device_id: 1
tensorrt_fp16: true
tensorrt_engine_cache_dir: /tmp/trt
)");
  EXPECT_EQ(p.providers, (std::vector<Provider>{Provider::kTensorRt, Provider::kCuda, Provider::kCpu}));
  EXPECT_EQ(p.graph_optimization, GraphOptimization::kExtended);
  EXPECT_EQ(p.intra_op_threads, 3);
  EXPECT_EQ(p.inter_op_threads, 2);
  EXPECT_TRUE(p.parallel_execution);
  EXPECT_FALSE(p.allow_spinning);
  EXPECT_FALSE(p.memory_pattern);
  EXPECT_FALSE(p.cpu_mem_arena);
  EXPECT_EQ(p.arena_extend_strategy, ArenaExtendStrategy::kSameAsRequested);
  EXPECT_EQ(p.optimized_model_path, "/tmp/x.onnx");
  EXPECT_EQ(p.device_id, 1);
  EXPECT_TRUE(p.tensorrt_fp16);
  EXPECT_EQ(p.tensorrt_engine_cache_dir, "/tmp/trt");
}

TEST(SessionParams, ProvidersMayBeACommaSeparatedString) {
  SessionParams p = SessionParams::from_yaml("providers: cuda, cpu\ngraph_optimization: disable\n");
  EXPECT_EQ(p.providers, (std::vector<Provider>{Provider::kCuda, Provider::kCpu}));
  EXPECT_EQ(p.graph_optimization, GraphOptimization::kDisable);
  EXPECT_EQ(parse_providers("CUDA , cpu"), (std::vector<Provider>{Provider::kCuda, Provider::kCpu}));
}

TEST(SessionParams, EmptyYamlKeepsDefaults) {
  SessionParams p = SessionParams::from_yaml("");
  EXPECT_EQ(p.providers, std::vector<Provider>{Provider::kCpu});
}

TEST(SessionParams, UnknownKeyIsNamedInTheError) {
  try {
    SessionParams::from_yaml("intra_threads: 2\n", "server.yaml");
    FAIL() << "expected an error";
  } catch (const ragrt::Error& e) {
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("server.yaml: unknown session option 'intra_threads'"), std::string::npos)
        << e.what();
  }
}

TEST(SessionParams, BadValuesAreRejected) {
  EXPECT_THROW(SessionParams::from_yaml("providers: [cuda, rocm]"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("graph_optimization: max"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("arena_extend_strategy: double"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("intra_op_threads: many"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("intra_op_threads: -1"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("providers: []"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("[1, 2]"), ragrt::Error);
  EXPECT_THROW(SessionParams::from_yaml("a: [unclosed"), ragrt::Error);
  EXPECT_THROW(parse_providers(" , "), ragrt::Error);
}
