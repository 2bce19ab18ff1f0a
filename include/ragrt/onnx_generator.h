#pragma once
// The `onnx` generator: a decoder-only LLM from a local model folder (Optimum / transformers.js
// layout: config.json, generation_config.json, tokenizer.json, tokenizer_config.json with the
// chat template, onnx/model.onnx), decoded incrementally with its KV cache and batched across
// concurrent requests.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/generator.h"
#include "ragrt/runtime/session_params.h"

namespace ragrt {

struct OnnxGeneratorParams {
  std::filesystem::path model_dir;
  std::string onnx_file;             // relative to model_dir; "" = onnx/model.onnx, else model.onnx
  runtime::SessionParams session;    // execution providers, threads, arena, optimization level
  size_t max_batch = 8;              // requests decoded together; more wait in a queue
  bool use_kv_cache = true;          // false recomputes the whole sequence each token (tests, benchmarks)
  size_t prefix_cache_mb = 256;      // key/values of recent prompts kept for reuse; 0 disables
  size_t prefix_cache_min_tokens = 16;  // shorter shared prefixes are recomputed
  size_t speculative_tokens = 4;  // prompt-lookup draft checked per step when one request runs; 0 disables
  // true: on CPU, ragrt runs the vocabulary projection itself where the graph allows (greedy
  // choices screened on int8 weights, exact result; logits only for positions read). false
  // leaves it in the graph.
  bool lm_head_in_ragrt = true;
  std::string chat_template_name;    // for tokenizer_config.json files with several named templates
  nlohmann::ordered_json template_variables = nlohmann::ordered_json::object();  // e.g. {"enable_thinking": false}
};

// Loads the model and starts its scheduler thread. Throws ragrt::Error (kNotFound, kInvalidModel)
// naming the file and field when the folder is incomplete or inconsistent.
std::unique_ptr<Generator> make_onnx_generator(const OnnxGeneratorParams& params);

}  // namespace ragrt
