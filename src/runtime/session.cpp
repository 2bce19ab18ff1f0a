#include "ragrt/runtime/session.h"

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "ragrt/runtime/environment.h"

namespace ragrt::runtime {
namespace {

GraphOptimizationLevel ort_level(GraphOptimization g) {
  switch (g) {
    case GraphOptimization::kDisable: return ORT_DISABLE_ALL;
    case GraphOptimization::kBasic: return ORT_ENABLE_BASIC;
    case GraphOptimization::kExtended: return ORT_ENABLE_EXTENDED;
    case GraphOptimization::kAll: return ORT_ENABLE_ALL;
  }
  return ORT_ENABLE_ALL;
}

// ORT keeps one CPU arena per session unless sessions opt into an allocator registered on the
// environment; the arena's growth strategy can only be chosen for the latter. So sessions asking
// for kSameAsRequested share one registered arena, the others keep ORT's default per-session one.
void register_same_as_requested_arena() {
  static std::once_flag once;
  std::call_once(once, [] {
    Ort::ArenaCfg cfg(/*max_mem=*/0, /*arena_extend_strategy=*/1, /*initial_chunk_size_bytes=*/-1,
                      /*max_dead_bytes_per_chunk=*/-1);
    ort_env().CreateAndRegisterAllocator(cpu_memory_info(), cfg);
  });
}

const char* arena_strategy_key(ArenaExtendStrategy s) {
  return s == ArenaExtendStrategy::kNextPowerOfTwo ? "kNextPowerOfTwo" : "kSameAsRequested";
}

void append_cuda(Ort::SessionOptions& so, const SessionParams& p) {
  const OrtApi& api = Ort::GetApi();
  OrtCUDAProviderOptionsV2* opts = nullptr;
  Ort::ThrowOnError(api.CreateCUDAProviderOptions(&opts));
  std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)> guard(
      opts, [](OrtCUDAProviderOptionsV2* o) { Ort::GetApi().ReleaseCUDAProviderOptions(o); });
  std::string device = std::to_string(p.device_id);
  const char* keys[] = {"device_id", "arena_extend_strategy"};
  const char* values[] = {device.c_str(), arena_strategy_key(p.arena_extend_strategy)};
  Ort::ThrowOnError(api.UpdateCUDAProviderOptions(opts, keys, values, 2));
  so.AppendExecutionProvider_CUDA_V2(*opts);
}

void append_tensorrt(Ort::SessionOptions& so, const SessionParams& p) {
  const OrtApi& api = Ort::GetApi();
  OrtTensorRTProviderOptionsV2* opts = nullptr;
  Ort::ThrowOnError(api.CreateTensorRTProviderOptions(&opts));
  std::unique_ptr<OrtTensorRTProviderOptionsV2, void (*)(OrtTensorRTProviderOptionsV2*)> guard(
      opts, [](OrtTensorRTProviderOptionsV2* o) { Ort::GetApi().ReleaseTensorRTProviderOptions(o); });
  std::vector<std::string> keys{"device_id", "trt_fp16_enable"};
  std::vector<std::string> values{std::to_string(p.device_id), p.tensorrt_fp16 ? "1" : "0"};
  if (p.tensorrt_engine_cache_dir) {
    keys.insert(keys.end(), {"trt_engine_cache_enable", "trt_engine_cache_path"});
    values.insert(values.end(), {"1", *p.tensorrt_engine_cache_dir});
  }
  std::vector<const char*> k, v;
  for (size_t i = 0; i < keys.size(); ++i) {
    k.push_back(keys[i].c_str());
    v.push_back(values[i].c_str());
  }
  Ort::ThrowOnError(api.UpdateTensorRTProviderOptions(opts, k.data(), v.data(), k.size()));
  so.AppendExecutionProvider_TensorRT_V2(*opts);
  // Nodes TensorRT cannot take should run on CUDA rather than CPU when CUDA is there.
  try {
    append_cuda(so, p);
  } catch (const Ort::Exception& e) {
    spdlog::info("tensorrt session without cuda for unsupported nodes: {}", e.what());
  }
}

Ort::SessionOptions make_options(const SessionParams& p) {
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(ort_level(p.graph_optimization));
  so.SetIntraOpNumThreads(p.intra_op_threads);
  so.SetInterOpNumThreads(p.inter_op_threads);
  so.SetExecutionMode(p.parallel_execution ? ORT_PARALLEL : ORT_SEQUENTIAL);
  if (p.memory_pattern) {
    so.EnableMemPattern();
  } else {
    so.DisableMemPattern();
  }
  if (!p.allow_spinning) {
    so.AddConfigEntry("session.intra_op.allow_spinning", "0");
    so.AddConfigEntry("session.inter_op.allow_spinning", "0");
  }
  if (!p.cpu_mem_arena) {
    so.DisableCpuMemArena();
  } else if (p.arena_extend_strategy == ArenaExtendStrategy::kSameAsRequested) {
    register_same_as_requested_arena();
    so.AddConfigEntry("session.use_env_allocators", "1");
  }
  if (p.optimized_model_path) so.SetOptimizedModelFilePath(p.optimized_model_path->c_str());
  return so;
}

// Failures that say the file itself is at fault: no other provider would do better.
bool is_model_error(OrtErrorCode code) {
  return code == ORT_NO_SUCHFILE || code == ORT_NO_MODEL || code == ORT_INVALID_PROTOBUF ||
         code == ORT_INVALID_GRAPH || code == ORT_MODEL_LOADED;
}

std::vector<TensorInfo> read_infos(Ort::Session& s, bool inputs) {
  Ort::AllocatorWithDefaultOptions alloc;
  size_t n = inputs ? s.GetInputCount() : s.GetOutputCount();
  std::vector<TensorInfo> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    TensorInfo info;
    info.name = (inputs ? s.GetInputNameAllocated(i, alloc) : s.GetOutputNameAllocated(i, alloc)).get();
    Ort::TypeInfo type = inputs ? s.GetInputTypeInfo(i) : s.GetOutputTypeInfo(i);
    if (type.GetONNXType() != ONNX_TYPE_TENSOR) {
      info.is_tensor = false;
    } else {
      auto ts = type.GetTensorTypeAndShapeInfo();
      info.type = ts.GetElementType();
      info.shape = ts.GetShape();
      for (const char* d : ts.GetSymbolicDimensions()) info.dim_names.emplace_back(d ? d : "");
      info.dim_names.resize(info.shape.size());
    }
    out.push_back(std::move(info));
  }
  return out;
}

const TensorInfo& require(const std::filesystem::path& path, const std::vector<TensorInfo>& infos,
                          std::string_view what, std::string_view component, const TensorRequirement& req) {
  auto it = std::find_if(infos.begin(), infos.end(), [&](const TensorInfo& t) { return t.name == req.name; });
  bool ok = it != infos.end() && it->is_tensor &&
            std::find(req.types.begin(), req.types.end(), it->type) != req.types.end() &&
            it->rank() == req.dims.size();
  if (!ok) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: {} needs {} {}; the model has {}s: {}", path.string(),
                     component, what, req.describe(), what, describe(infos));
  }
  return *it;
}

}  // namespace

std::string TensorRequirement::describe() const {
  std::string ty;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) ty += " or ";
    ty += element_type_name(types[i]);
  }
  std::string d;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) d += ", ";
    d += dims[i].empty() ? "?" : dims[i];
  }
  return fmt::format("'{}' ({} [{}])", name, ty, d);
}

std::unique_ptr<Session> Session::open(const std::filesystem::path& model, const SessionParams& params) {
  return open_model(model, params, nullptr);
}

std::unique_ptr<Session> Session::open_from_memory(const std::filesystem::path& model, const std::string& bytes,
                                                   const SessionParams& params) {
  return open_model(model, params, &bytes);
}

std::unique_ptr<Session> Session::open_model(const std::filesystem::path& model, const SessionParams& params,
                                             const std::string* bytes) {
  std::error_code ec;
  RAGRT_THROW_IF_NOT_KIND(std::filesystem::is_regular_file(model, ec), ErrorKind::kNotFound,
                          "{}: model file not found", model.string());
  RAGRT_THROW_IF_NOT_KIND(!params.providers.empty(), ErrorKind::kInvalidArgument,
                          "{}: no execution provider requested", model.string());
  std::unique_ptr<Session> s(new Session());
  s->path_ = model;
  s->params_ = params;
  for (size_t i = 0; i < params.providers.size(); ++i) {
    Provider provider = params.providers[i];
    ProviderAttempt attempt{provider, false, {}};
    bool last = i + 1 == params.providers.size();
    try {
      Ort::SessionOptions so = make_options(params);
      if (provider == Provider::kCuda) append_cuda(so, params);
      if (provider == Provider::kTensorRt) append_tensorrt(so, params);
      if (bytes) {
        // External data resolves against the file's folder, as when loading the file itself.
        so.AddConfigEntry("session.model_external_initializers_file_folder_path",
                          model.parent_path().empty() ? "." : model.parent_path().c_str());
        s->session_ = Ort::Session(ort_env(), bytes->data(), bytes->size(), so);
      } else {
        s->session_ = Ort::Session(ort_env(), model.c_str(), so);
      }
      attempt.loaded = true;
    } catch (const Ort::Exception& e) {
      attempt.reason = e.what();
      // CPU is always compiled in, so a CPU failure (or a parse failure anywhere) is the model's.
      if (provider == Provider::kCpu || is_model_error(e.GetOrtErrorCode())) {
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: ONNX Runtime cannot load this model: {}", model.string(),
                         e.what());
      }
    }
    s->attempts_.push_back(attempt);
    if (attempt.loaded) break;
    if (last) {
      std::string reasons;
      for (const auto& a : s->attempts_) reasons += fmt::format("; {}: {}", to_string(a.provider), a.reason);
      RAGRT_THROW("{}: no requested execution provider could be used{}", model.string(), reasons);
    }
    spdlog::warn("{}: execution provider {} unavailable ({}); falling back to {}", model.filename().string(),
                 to_string(provider), attempt.reason, to_string(params.providers[i + 1]));
  }
  s->inputs_ = read_infos(s->session_, true);
  s->outputs_ = read_infos(s->session_, false);
  spdlog::info("{}: loaded on {} (graph optimization {}, intra-op threads {}); inputs: {}; outputs: {}",
               model.string(), to_string(s->provider()), to_string(params.graph_optimization),
               params.intra_op_threads, describe(s->inputs_), describe(s->outputs_));
  return s;
}

const TensorInfo* Session::find_input(std::string_view name) const {
  for (const auto& t : inputs_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorInfo* Session::find_output(std::string_view name) const {
  for (const auto& t : outputs_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorInfo& Session::require_input(std::string_view component, const TensorRequirement& req) const {
  return require(path_, inputs_, "input", component, req);
}

const TensorInfo& Session::require_output(std::string_view component, const TensorRequirement& req) const {
  return require(path_, outputs_, "output", component, req);
}

std::vector<Ort::Value> Session::run(const std::vector<const char*>& input_names, const std::vector<Ort::Value>& inputs,
                                     const std::vector<const char*>& output_names,
                                     const Ort::RunOptions& run_options) const {
  RAGRT_THROW_IF_NOT(input_names.size() == inputs.size(), "{}: {} input names for {} input tensors",
                     path_.string(), input_names.size(), inputs.size());
  try {
    return session_.Run(run_options, input_names.data(), inputs.data(), inputs.size(), output_names.data(),
                        output_names.size());
  } catch (const Ort::Exception& e) {
    RAGRT_THROW("{}: inference failed: {}", path_.string(), e.what());
  }
}

std::vector<Ort::Value> Session::run(const std::vector<const char*>& input_names,
                                     const std::vector<const OrtValue*>& inputs,
                                     const std::vector<const char*>& output_names,
                                     const Ort::RunOptions& run_options) const {
  RAGRT_THROW_IF_NOT(input_names.size() == inputs.size(), "{}: {} input names for {} input tensors",
                     path_.string(), input_names.size(), inputs.size());
  std::vector<OrtValue*> outputs(output_names.size(), nullptr);
  OrtStatus* status = Ort::GetApi().Run(session_, run_options, input_names.data(), inputs.data(), inputs.size(),
                                        output_names.data(), output_names.size(), outputs.data());
  if (status) {
    std::string message = Ort::GetApi().GetErrorMessage(status);
    Ort::GetApi().ReleaseStatus(status);
    RAGRT_THROW("{}: inference failed: {}", path_.string(), message);
  }
  std::vector<Ort::Value> owned;
  owned.reserve(outputs.size());
  for (OrtValue* v : outputs) owned.emplace_back(v);
  return owned;
}

}  // namespace ragrt::runtime
