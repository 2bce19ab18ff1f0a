#pragma once
// How an ONNX Runtime session is configured. One plain struct so that the same settings can come
// from code, CLI flags or a YAML file (see SessionParams::from_yaml for the keys), in the spirit of
// onnxruntime-genai's genai_config.json "session_options".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::runtime {

// Execution providers ragrt knows how to configure. A session tries them in the order given and
// ends up on the first one that loads; the reasons the others were skipped are kept and logged.
enum class Provider { kTensorRt, kCuda, kCpu };

enum class GraphOptimization { kDisable, kBasic, kExtended, kAll };

// How the CPU memory arena grows when it runs out: by doubling (ORT's default, fewer allocations)
// or by exactly what was asked (less memory held after a spike, e.g. one very long batch).
enum class ArenaExtendStrategy { kNextPowerOfTwo, kSameAsRequested };

struct SessionParams {
  // Preference order. YAML/CLI names: "tensorrt", "cuda", "cpu". The list is exhaustive: a
  // session whose every provider fails raises an error rather than silently using another.
  std::vector<Provider> providers{Provider::kCpu};
  GraphOptimization graph_optimization = GraphOptimization::kAll;
  // 0 lets ONNX Runtime choose (one thread per physical core).
  int intra_op_threads = 0;
  int inter_op_threads = 0;
  // Run independent graph branches concurrently (uses inter_op_threads); rarely helps transformers.
  bool parallel_execution = false;
  // Idle ORT worker threads busy-wait for work by default. That wins latency on a dedicated
  // machine but steals cores from the caller's own threads (tokenization, batching) on small ones.
  bool allow_spinning = true;
  // Reuse a memory plan across runs with the same input shapes.
  bool memory_pattern = true;
  bool cpu_mem_arena = true;
  ArenaExtendStrategy arena_extend_strategy = ArenaExtendStrategy::kNextPowerOfTwo;
  // When set, ONNX Runtime writes the graph it optimized here (useful to inspect fusions, or to
  // load later with graph_optimization = kDisable for a faster start).
  std::optional<std::string> optimized_model_path;
  // GPU providers only.
  int device_id = 0;
  bool tensorrt_fp16 = false;
  std::optional<std::string> tensorrt_engine_cache_dir;

  // Reads a YAML mapping, every key optional:
  //   providers: [cuda, cpu]            # or "cuda,cpu"
  //   graph_optimization: all           # disable | basic | extended | all
  //   intra_op_threads: 2
  //   inter_op_threads: 1
  //   parallel_execution: false
  //   allow_spinning: false
  //   memory_pattern: true
  //   cpu_mem_arena: true
  //   arena_extend_strategy: same_as_requested   # or next_power_of_two (kNextPowerOfTwo /
  //                                              # kSameAsRequested are accepted too)
  //   optimized_model_path: /tmp/model.opt.onnx
  //   device_id: 0
  //   tensorrt_fp16: false
  //   tensorrt_engine_cache_dir: /var/cache/ragrt/trt
  // Throws ragrt::Error (kInvalidArgument) naming `source` and the key on unknown keys or values.
  static SessionParams from_yaml(std::string_view yaml_text, std::string_view source = "<yaml>");
  // Reads the same keys from a file. Throws ragrt::Error (kNotFound) when it cannot be read.
  static SessionParams from_yaml_file(const std::string& path);
};

// "cuda,cpu" -> {kCuda, kCpu}. Throws ragrt::Error (kInvalidArgument) on unknown names.
std::vector<Provider> parse_providers(std::string_view comma_separated);
Provider parse_provider(std::string_view name);
GraphOptimization parse_graph_optimization(std::string_view name);
ArenaExtendStrategy parse_arena_extend_strategy(std::string_view name);

std::string_view to_string(Provider p);
std::string_view to_string(GraphOptimization g);
std::string_view to_string(ArenaExtendStrategy s);

}  // namespace ragrt::runtime
