#pragma once
// An ONNX Runtime inference session over one model file, created from SessionParams: providers are
// tried in order of preference with fallback, and the inputs and outputs are read from the model.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <onnxruntime_cxx_api.h>

#include "ragrt/runtime/session_params.h"
#include "ragrt/runtime/tensor_info.h"

namespace ragrt::runtime {

// One provider the session tried, in order: the last entry is the one it runs on.
struct ProviderAttempt {
  Provider provider;
  bool loaded = false;
  std::string reason;  // why it was skipped; empty when loaded
};

// What a component needs from a model input or output, for checks with readable errors. Rank is
// the number of dim names; a name of "" leaves that axis unnamed in messages.
struct TensorRequirement {
  std::string name;
  std::vector<ONNXTensorElementDataType> types;  // any of these
  std::vector<std::string> dims;                 // e.g. {"batch", "seq"}
  std::string describe() const;                  // "'input_ids' (int64 [batch, seq])"
};

class Session {
 public:
  // Throws ragrt::Error: kNotFound when `model` does not exist, kInvalidModel (naming the file)
  // when ONNX Runtime cannot parse it, kRuntime when every provider in params.providers failed.
  static std::unique_ptr<Session> open(const std::filesystem::path& model, const SessionParams& params = {});
  // The same for a model serialized in memory (a graph ragrt edited); `model` names the file it
  // came from, for messages and to resolve external data.
  static std::unique_ptr<Session> open_from_memory(const std::filesystem::path& model, const std::string& bytes,
                                                   const SessionParams& params = {});

  const std::filesystem::path& path() const { return path_; }
  const SessionParams& params() const { return params_; }
  Provider provider() const { return attempts_.back().provider; }
  const std::vector<ProviderAttempt>& attempts() const { return attempts_; }

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  const TensorInfo* find_input(std::string_view name) const;
  const TensorInfo* find_output(std::string_view name) const;

  // Throw ragrt::Error (kInvalidModel) of the form
  //   "model.onnx: embedder needs input 'input_ids' (int64 [batch, seq]); the model has inputs: ..."
  // when the model lacks the tensor or declares another element type or rank.
  const TensorInfo& require_input(std::string_view component, const TensorRequirement& req) const;
  const TensorInfo& require_output(std::string_view component, const TensorRequirement& req) const;

  // Thread-safe (ORT sessions allow concurrent Run). Ort exceptions become ragrt::Error naming
  // the model file.
  std::vector<Ort::Value> run(const std::vector<const char*>& input_names, const std::vector<Ort::Value>& inputs,
                              const std::vector<const char*>& output_names,
                              const Ort::RunOptions& run_options = Ort::RunOptions{nullptr}) const;

  // The same with borrowed inputs: the caller keeps ownership, so tensors such as a KV cache can be
  // fed to many runs (and shared between sequences) without copies or moves.
  std::vector<Ort::Value> run(const std::vector<const char*>& input_names, const std::vector<const OrtValue*>& inputs,
                              const std::vector<const char*>& output_names,
                              const Ort::RunOptions& run_options = Ort::RunOptions{nullptr}) const;

  Ort::Session& ort() { return session_; }

 private:
  Session() = default;
  static std::unique_ptr<Session> open_model(const std::filesystem::path& model, const SessionParams& params,
                                             const std::string* bytes);
  std::filesystem::path path_;
  SessionParams params_;
  std::vector<ProviderAttempt> attempts_;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  mutable Ort::Session session_{nullptr};
};

}  // namespace ragrt::runtime
