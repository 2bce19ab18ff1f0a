#pragma once
// The `generator:` section of the YAML config and the factory that builds a Generator from it by
// type name. Example (every key optional; without the section the generator is `extractive`):
//
//   generator:
//     type: onnx                      # extractive (default) | onnx | openai
//     model: models/qwen3-0.6b        # onnx: decoder folder (relative to the config file)
//     max_batch: 8                    # onnx: requests decoded together
//     prefix_cache_mb: 256            # onnx: key/values of recent prompts kept for reuse
//     speculative_tokens: 4           # onnx: prompt-lookup draft per step for a lone request; 0 = off
//     lm_head: auto                   # onnx: auto = ragrt runs the vocabulary projection on CPU
//                                     #   where the graph allows; graph = leave it in the graph
//     template_variables: {enable_thinking: false}
//     session: {providers: [cuda, cpu], intra_op_threads: 4}
//     base_url: http://localhost:8000/v1   # openai
//     api_key_env: OPENAI_API_KEY          # openai: the environment variable holding the key
//     sampling: {temperature: 0.3, top_p: 0.9, max_new_tokens: 512, stop: ["\n\nUser:"]}
//     context_passages: 5             # passages retrieved for `ragrt ask`
//     max_sentences: 3                # extractive
//
// Other types: an application adds a factory to Registry<Generator> (include/ragrt/registry.h)
// before loading the config; `type: NAME` then builds it from the section as written, and only the
// common keys (sampling, context_passages, system_prompt) are read into GeneratorConfig.
#include <cstddef>
#include <memory>
#include <string>

#include "ragrt/extractive_generator.h"
#include "ragrt/generator.h"
#include "ragrt/onnx_generator.h"
#include "ragrt/openai_generator.h"
#include "ragrt/registry.h"

namespace ragrt {

struct GeneratorConfig {
  std::string type = "extractive";
  ExtractiveGeneratorParams extractive;
  OnnxGeneratorParams onnx;
  OpenAIGeneratorParams openai;
  SamplingParams sampling;      // defaults for every request (a request's own values win)
  size_t context_passages = 5;  // how many retrieved passages a question gets
  std::string system_prompt;    // "" = the built-in grounded-answer instructions
};

// Builds a generator of a built-in type. Throws ragrt::Error naming what is wrong (unknown type,
// missing model folder, unset API key variable).
std::unique_ptr<Generator> make_generator(const GeneratorConfig& config);

bool is_builtin_generator(const std::string& type);

// A built-in type's section, every key checked; mistakes name the file, line and column.
GeneratorConfig read_generator_config(const config::YamlReader& reader, const YAML::Node& section);
// Any section: a built-in type read in full, a registered type's common keys only; an unknown
// type is an error listing the registered ones.
GeneratorConfig read_generator_section(const config::YamlReader& reader, const YAML::Node& section);
// The Registry<Generator> factory of the built-in types.
std::shared_ptr<Generator> make_builtin_generator(const ComponentSpec& spec);

}  // namespace ragrt
