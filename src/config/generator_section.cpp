// The `generator:` section: the built-in types read into GeneratorConfig, other types through
// Registry<Generator> (see generator_config.h).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "ragrt/generator_config.h"
#include "ragrt/registry.h"
#include "runtime/session_params_yaml.h"

namespace ragrt {
namespace {

using config::yaml_to_json;

SamplingParams read_sampling(const config::YamlReader& r, const YAML::Node& n, const std::string& key) {
  r.only_keys(n, key, {"do_sample", "temperature", "top_k", "top_p", "min_p", "repetition_penalty", "seed",
                       "max_new_tokens", "stop"});
  SamplingParams s;
  if (n["do_sample"]) s.do_sample = r.boolean(n["do_sample"], key + ".do_sample");
  if (n["temperature"]) s.temperature = static_cast<float>(r.number(n["temperature"], key + ".temperature"));
  if (n["top_k"]) s.top_k = r.count(n["top_k"], key + ".top_k");
  if (n["top_p"]) s.top_p = static_cast<float>(r.number(n["top_p"], key + ".top_p"));
  if (n["min_p"]) s.min_p = static_cast<float>(r.number(n["min_p"], key + ".min_p"));
  if (n["repetition_penalty"])
    s.repetition_penalty = static_cast<float>(r.number(n["repetition_penalty"], key + ".repetition_penalty"));
  if (n["seed"]) s.seed = r.count(n["seed"], key + ".seed");
  if (n["max_new_tokens"]) s.max_new_tokens = r.count(n["max_new_tokens"], key + ".max_new_tokens", 1);
  if (n["stop"]) s.stop = r.strings(n["stop"], key + ".stop");
  return s;
}

// The keys every generator section may have: read per request, whatever the type.
void read_common(const config::YamlReader& r, const YAML::Node& n, GeneratorConfig& g) {
  if (n["sampling"]) g.sampling = read_sampling(r, n["sampling"], "generator.sampling");
  if (n["context_passages"]) g.context_passages = r.count(n["context_passages"], "generator.context_passages", 1);
  if (n["system_prompt"]) g.system_prompt = r.string(n["system_prompt"], "generator.system_prompt");
}

}  // namespace

bool is_builtin_generator(const std::string& type) {
  return type == "extractive" || type == "onnx" || type == "openai";
}

GeneratorConfig read_generator_config(const config::YamlReader& r, const YAML::Node& n) {
  GeneratorConfig g;
  r.require_map(n, "generator");
  if (n["type"]) g.type = r.string(n["type"], "generator.type");
  if (g.type == "extractive") {
    r.only_keys(n, "generator", {"type", "max_sentences", "max_chars", "min_score", "min_relative_score",
                                 "not_found_message", "context_passages", "sampling", "system_prompt"});
    auto& e = g.extractive;
    if (n["max_sentences"]) e.max_sentences = r.count(n["max_sentences"], "generator.max_sentences", 1);
    if (n["max_chars"]) e.max_chars = r.count(n["max_chars"], "generator.max_chars", 1);
    if (n["min_score"]) e.min_score = r.number(n["min_score"], "generator.min_score");
    if (n["min_relative_score"]) e.min_relative_score = r.number(n["min_relative_score"], "generator.min_relative_score");
    if (n["not_found_message"])
      e.not_found_message = r.localized(n["not_found_message"], "generator.not_found_message").over(default_not_found_message());
  } else if (g.type == "onnx") {
    r.only_keys(n, "generator", {"type", "model", "onnx_file", "session", "max_batch", "prefix_cache_mb",
                                 "prefix_cache_min_tokens", "speculative_tokens", "lm_head", "chat_template", "template_variables", "context_passages",
                                 "sampling", "system_prompt"});
    auto& o = g.onnx;
    if (!n["model"]) r.fail(n, "generator.model", "missing: the decoder model folder (type onnx)");
    o.model_dir = r.path(n["model"], "generator.model");
    if (n["onnx_file"]) o.onnx_file = r.string(n["onnx_file"], "generator.onnx_file");
    if (n["session"]) o.session = runtime::session_params_from_yaml(r, n["session"], "generator.session");
    if (n["max_batch"]) o.max_batch = r.count(n["max_batch"], "generator.max_batch", 1);
    if (n["prefix_cache_mb"]) o.prefix_cache_mb = r.count(n["prefix_cache_mb"], "generator.prefix_cache_mb");
    if (n["prefix_cache_min_tokens"])
      o.prefix_cache_min_tokens = r.count(n["prefix_cache_min_tokens"], "generator.prefix_cache_min_tokens", 1);
    if (n["speculative_tokens"])
      o.speculative_tokens = r.count(n["speculative_tokens"], "generator.speculative_tokens");
    if (n["lm_head"]) {
      const std::string where = r.string(n["lm_head"], "generator.lm_head");
      if (where != "auto" && where != "graph") {
        r.fail(n["lm_head"], "generator.lm_head", fmt::format("'{}' is not one of: auto, graph", where));
      }
      o.lm_head_in_ragrt = where == "auto";
    }
    if (n["chat_template"]) o.chat_template_name = r.string(n["chat_template"], "generator.chat_template");
    if (n["template_variables"]) {
      r.require_map(n["template_variables"], "generator.template_variables");
      o.template_variables = yaml_to_json(n["template_variables"]);
    }
  } else if (g.type == "openai") {
    r.only_keys(n, "generator", {"type", "base_url", "model", "api_key_env", "connect_timeout_s", "timeout_s",
                                 "idle_timeout_s", "max_retries", "retry_backoff_s", "stream", "headers",
                                 "context_passages", "sampling", "system_prompt"});
    auto& o = g.openai;
    if (!n["base_url"]) r.fail(n, "generator.base_url", "missing: the server's API root, e.g. http://host:8000/v1");
    o.base_url = r.string(n["base_url"], "generator.base_url");
    if (n["model"]) o.model = r.string(n["model"], "generator.model");
    if (n["api_key_env"]) o.api_key_env = r.string(n["api_key_env"], "generator.api_key_env");
    if (n["connect_timeout_s"]) o.connect_timeout_s = r.number(n["connect_timeout_s"], "generator.connect_timeout_s");
    if (n["timeout_s"]) o.timeout_s = r.number(n["timeout_s"], "generator.timeout_s");
    if (n["idle_timeout_s"]) o.idle_timeout_s = r.number(n["idle_timeout_s"], "generator.idle_timeout_s");
    if (n["max_retries"]) o.max_retries = static_cast<int>(r.count(n["max_retries"], "generator.max_retries"));
    if (n["retry_backoff_s"]) o.retry_backoff_s = r.number(n["retry_backoff_s"], "generator.retry_backoff_s");
    if (n["stream"]) o.stream = r.boolean(n["stream"], "generator.stream");
    if (n["headers"]) {
      r.require_map(n["headers"], "generator.headers");
      for (const auto& kv : n["headers"]) {
        o.headers[kv.first.as<std::string>()] = r.string(kv.second, "generator.headers." + kv.first.as<std::string>());
      }
    }
  } else {
    r.fail(n["type"], "generator.type",
           fmt::format("'{}' is not a built-in generator type (extractive, onnx, openai)", g.type));
  }
  read_common(r, n, g);
  return g;
}

GeneratorConfig read_generator_section(const config::YamlReader& r, const YAML::Node& n) {
  r.require_map(n, "generator");
  const std::string type = n["type"] ? r.string(n["type"], "generator.type") : "extractive";
  if (is_builtin_generator(type)) return read_generator_config(r, n);
  register_builtin_components();
  if (!Registry<Generator>::instance().has(type)) {
    r.fail(n["type"], "generator.type",
           fmt::format("unknown type '{}' (registered: {})", type, fmt::join(Registry<Generator>::instance().types(), ", ")));
  }
  // The registered factory checks its own keys when the graph is built.
  GeneratorConfig g;
  g.type = type;
  read_common(r, n, g);
  return g;
}

std::shared_ptr<Generator> make_builtin_generator(const ComponentSpec& spec) {
  return make_generator(read_generator_config(*spec.reader, spec.node));
}

}  // namespace ragrt
