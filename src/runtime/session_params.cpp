#include "ragrt/runtime/session_params.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "ragrt/error.h"
#include "runtime/session_params_yaml.h"

namespace ragrt::runtime {
namespace {

std::string normalized(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-') c = '_';
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  size_t b = out.find_first_not_of(" \t");
  size_t e = out.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

template <typename T>
T scalar(const YAML::Node& n, std::string_view source, std::string_view key) {
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: session option '{}' has an invalid value '{}'",
                     source, key, n.IsScalar() ? n.Scalar() : std::string("<not a scalar>"));
  }
}

}  // namespace

Provider parse_provider(std::string_view name) {
  std::string n = normalized(name);
  if (n == "tensorrt" || n == "trt" || n == "tensorrtexecutionprovider") return Provider::kTensorRt;
  if (n == "cuda" || n == "cudaexecutionprovider") return Provider::kCuda;
  if (n == "cpu" || n == "cpuexecutionprovider") return Provider::kCpu;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "unknown execution provider '{}' (expected tensorrt, cuda or cpu)", name);
}

std::vector<Provider> parse_providers(std::string_view list) {
  std::vector<Provider> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    if (!normalized(item).empty()) out.push_back(parse_provider(item));
    start = comma + 1;
  }
  RAGRT_THROW_IF_NOT_KIND(!out.empty(), ErrorKind::kInvalidArgument,
                          "empty execution provider list '{}' (expected e.g. cuda,cpu)", list);
  return out;
}

GraphOptimization parse_graph_optimization(std::string_view name) {
  std::string n = normalized(name);
  if (n == "disable" || n == "disabled" || n == "none" || n == "ort_disable_all") return GraphOptimization::kDisable;
  if (n == "basic" || n == "ort_enable_basic") return GraphOptimization::kBasic;
  if (n == "extended" || n == "ort_enable_extended") return GraphOptimization::kExtended;
  if (n == "all" || n == "ort_enable_all") return GraphOptimization::kAll;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "unknown graph optimization level '{}' (expected disable, basic, extended or all)", name);
}

ArenaExtendStrategy parse_arena_extend_strategy(std::string_view name) {
  std::string n = normalized(name);
  if (n == "next_power_of_two" || n == "knextpoweroftwo") return ArenaExtendStrategy::kNextPowerOfTwo;
  if (n == "same_as_requested" || n == "ksameasrequested") return ArenaExtendStrategy::kSameAsRequested;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "unknown arena_extend_strategy '{}' (expected next_power_of_two or same_as_requested)", name);
}

std::string_view to_string(Provider p) {
  switch (p) {
    case Provider::kTensorRt: return "tensorrt";
    case Provider::kCuda: return "cuda";
    case Provider::kCpu: return "cpu";
  }
  return "?";
}

std::string_view to_string(GraphOptimization g) {
  switch (g) {
    case GraphOptimization::kDisable: return "disable";
    case GraphOptimization::kBasic: return "basic";
    case GraphOptimization::kExtended: return "extended";
    case GraphOptimization::kAll: return "all";
  }
  return "?";
}

std::string_view to_string(ArenaExtendStrategy s) {
  return s == ArenaExtendStrategy::kNextPowerOfTwo ? "next_power_of_two" : "same_as_requested";
}

SessionParams session_params_from_yaml(const YAML::Node& node, std::string_view source) {
  SessionParams p;
  if (!node || node.IsNull()) return p;
  RAGRT_THROW_IF_NOT_KIND(node.IsMap(), ErrorKind::kInvalidArgument,
                          "{}: session options must be a YAML mapping (key: value)", source);
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "providers") {
      if (v.IsSequence()) {
        p.providers.clear();
        for (const auto& item : v) p.providers.push_back(parse_provider(scalar<std::string>(item, source, key)));
        RAGRT_THROW_IF_NOT_KIND(!p.providers.empty(), ErrorKind::kInvalidArgument,
                                "{}: session option 'providers' is an empty list", source);
      } else {
        p.providers = parse_providers(scalar<std::string>(v, source, key));
      }
    } else if (key == "graph_optimization" || key == "graph_optimization_level") {
      p.graph_optimization = parse_graph_optimization(scalar<std::string>(v, source, key));
    } else if (key == "intra_op_threads" || key == "intra_op_num_threads") {
      p.intra_op_threads = scalar<int>(v, source, key);
    } else if (key == "inter_op_threads" || key == "inter_op_num_threads") {
      p.inter_op_threads = scalar<int>(v, source, key);
    } else if (key == "parallel_execution") {
      p.parallel_execution = scalar<bool>(v, source, key);
    } else if (key == "allow_spinning") {
      p.allow_spinning = scalar<bool>(v, source, key);
    } else if (key == "memory_pattern" || key == "enable_mem_pattern") {
      p.memory_pattern = scalar<bool>(v, source, key);
    } else if (key == "cpu_mem_arena" || key == "enable_cpu_mem_arena") {
      p.cpu_mem_arena = scalar<bool>(v, source, key);
    } else if (key == "arena_extend_strategy") {
      p.arena_extend_strategy = parse_arena_extend_strategy(scalar<std::string>(v, source, key));
    } else if (key == "optimized_model_path" || key == "optimized_model_filepath") {
      p.optimized_model_path = scalar<std::string>(v, source, key);
    } else if (key == "device_id") {
      p.device_id = scalar<int>(v, source, key);
    } else if (key == "tensorrt_fp16") {
      p.tensorrt_fp16 = scalar<bool>(v, source, key);
    } else if (key == "tensorrt_engine_cache_dir") {
      p.tensorrt_engine_cache_dir = scalar<std::string>(v, source, key);
    } else {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{}: unknown session option '{}' (known: providers, graph_optimization, "
                       "intra_op_threads, inter_op_threads, parallel_execution, allow_spinning, "
                       "memory_pattern, cpu_mem_arena, arena_extend_strategy, optimized_model_path, "
                       "device_id, tensorrt_fp16, tensorrt_engine_cache_dir)",
                       source, key);
    }
  }
  RAGRT_THROW_IF_NOT_KIND(p.intra_op_threads >= 0 && p.inter_op_threads >= 0, ErrorKind::kInvalidArgument,
                          "{}: thread counts must be >= 0 (0 lets ONNX Runtime choose)", source);
  return p;
}

SessionParams SessionParams::from_yaml(std::string_view yaml_text, std::string_view source) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: invalid YAML: {}", source, e.what());
  }
  return session_params_from_yaml(node, source);
}

SessionParams SessionParams::from_yaml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  RAGRT_THROW_IF_NOT_KIND(in.good(), ErrorKind::kNotFound, "{}: cannot read session options file", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return from_yaml(ss.str(), path);
}

}  // namespace ragrt::runtime
