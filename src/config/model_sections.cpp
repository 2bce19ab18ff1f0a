// The `embedder:` and `reranker:` sections: the built-in types read into EmbedderConfig /
// RerankerConfig, other types through Registry<Embedder> / Registry<Reranker> (see embedder.h,
// reranker.h).
#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "models/remote_api.h"
#include "ragrt/error.h"
#include "ragrt/rag_config.h"
#include "ragrt/registry.h"
#include "runtime/session_params_yaml.h"

namespace ragrt {
namespace {

using Reader = config::YamlReader;

void read_encoder(const Reader& r, const YAML::Node& n, const std::string& key, EncoderOptions& o) {
  if (n["batch_size"]) o.batch_size = r.count(n["batch_size"], key + ".batch_size", 1);
  if (n["max_batch_tokens"]) o.max_batch_tokens = r.count(n["max_batch_tokens"], key + ".max_batch_tokens");
  if (n["max_length"]) o.max_length = r.count(n["max_length"], key + ".max_length", 1);
  if (n["onnx_file"]) o.onnx_file = r.string(n["onnx_file"], key + ".onnx_file");
  if (n["session"]) o.session = runtime::session_params_from_yaml(r, n["session"], key + ".session");
}

RemoteEndpoint read_endpoint(const Reader& r, const YAML::Node& n, const std::string& key) {
  RemoteEndpoint e;
  if (!n["base_url"]) r.fail(n, key + ".base_url", "missing: the server's API root, e.g. http://localhost:8080/v1");
  e.base_url = r.env_string(n["base_url"], key + ".base_url");
  try {
    models::check_base_url(e.base_url);
  } catch (const Error& err) {
    r.fail(n["base_url"], key + ".base_url", err.what());
  }
  if (n["api_key_env"]) e.api_key_env = r.string(n["api_key_env"], key + ".api_key_env");
  if (n["timeout_s"]) {
    e.timeout_s = r.number(n["timeout_s"], key + ".timeout_s");
    if (!(e.timeout_s > 0)) r.fail(n["timeout_s"], key + ".timeout_s", "must be positive");
  }
  if (n["max_retries"]) e.max_retries = static_cast<int>(r.count(n["max_retries"], key + ".max_retries"));
  return e;
}

// Another type's section minus the keys ragrt reads itself. The entries are the file's own nodes
// (YAML::Clone would reset their marks), so the factory's messages still point at its lines.
YAML::Node without(const YAML::Node& n, std::initializer_list<std::string_view> keys) {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& kv : n) {
    if (std::find(keys.begin(), keys.end(), kv.first.Scalar()) == keys.end()) out[kv.first] = kv.second;
  }
  return out;
}

template <class Interface>
std::string read_type(const Reader& r, const YAML::Node& n, const std::string& key) {
  r.require_map(n, key);
  register_builtin_components();
  if (!n["type"]) return "onnx";
  const std::string type = r.string(n["type"], key + ".type");
  if (!Registry<Interface>::instance().has(type))
    r.fail(n["type"], key + ".type",
           fmt::format("unknown type '{}' (registered: {})", type, fmt::join(Registry<Interface>::instance().types(), ", ")));
  return type;
}

}  // namespace

EmbedderConfig read_embedder_config(const Reader& r, const YAML::Node& n, const std::string& key) {
  EmbedderConfig e;
  e.type = read_type<Embedder>(r, n, key);
  if (n["query_prefix"]) e.query_prefix = r.string(n["query_prefix"], key + ".query_prefix");
  if (n["document_prefix"]) e.document_prefix = r.string(n["document_prefix"], key + ".document_prefix");
  if (e.type == "onnx") {
    r.only_keys(n, key, {"type", "model", "query_prefix", "document_prefix", "pooling", "normalize", "batch_size",
                         "max_batch_tokens", "max_length", "onnx_file", "session"});
    if (!n["model"]) r.fail(n, key + ".model", "missing: the embedding model folder");
    e.model = r.path(n["model"], key + ".model");
    if (n["pooling"]) {
      try {
        e.options.pooling = parse_pooling(r.string(n["pooling"], key + ".pooling"));
      } catch (const Error& err) {
        r.fail(n["pooling"], key + ".pooling", err.what());
      }
    }
    if (n["normalize"]) e.options.normalize = r.boolean(n["normalize"], key + ".normalize");
    read_encoder(r, n, key, e.options);
  } else if (e.type == "openai") {
    r.only_keys(n, key, {"type", "base_url", "model", "api_key_env", "timeout_s", "max_retries", "batch_size",
                         "normalize", "query_prefix", "document_prefix"});
    e.openai.endpoint = read_endpoint(r, n, key);
    if (n["model"]) e.openai.model = r.string(n["model"], key + ".model");
    if (n["batch_size"]) e.openai.batch_size = r.count(n["batch_size"], key + ".batch_size", 1);
    if (n["normalize"]) e.openai.normalize = r.boolean(n["normalize"], key + ".normalize");
  } else {
    e.section = without(n, {"query_prefix", "document_prefix"});
  }
  return e;
}

RerankerConfig read_reranker_config(const Reader& r, const YAML::Node& n, const std::string& key) {
  RerankerConfig c;
  c.type = read_type<Reranker>(r, n, key);
  if (c.type == "onnx") {
    r.only_keys(n, key, {"type", "model", "sigmoid", "label", "batch_size", "max_batch_tokens", "max_length",
                         "onnx_file", "session"});
    if (!n["model"]) r.fail(n, key + ".model", "missing: the cross-encoder model folder");
    c.model = r.path(n["model"], key + ".model");
    if (n["sigmoid"]) c.options.sigmoid = r.boolean(n["sigmoid"], key + ".sigmoid");
    if (n["label"]) c.options.label = r.count(n["label"], key + ".label");
    read_encoder(r, n, key, c.options);
  } else if (c.type == "cohere" || c.type == "tei") {
    r.only_keys(n, key, {"type", "base_url", "model", "api_key_env", "timeout_s", "max_retries", "batch_size"});
    c.remote.api = c.type == "cohere" ? RerankApi::kCohere : RerankApi::kTei;
    c.remote.endpoint = read_endpoint(r, n, key);
    if (n["model"]) c.remote.model = r.string(n["model"], key + ".model");
    if (n["batch_size"]) c.remote.batch_size = r.count(n["batch_size"], key + ".batch_size", 1);
  } else {
    c.section = n;
  }
  return c;
}

std::shared_ptr<Embedder> make_embedder(const EmbedderConfig& c, const Reader& r) {
  if (c.type == "onnx") return OnnxEmbedder::load(c.model, c.options);
  if (c.type == "openai") return make_openai_embedder(c.openai);
  return Registry<Embedder>::instance().create({"embedder", "embedder", c.section, &r});
}

std::shared_ptr<Reranker> make_reranker(const RerankerConfig& c, const Reader& r) {
  if (c.type == "onnx") return OnnxReranker::load(c.model, c.options);
  if (c.type == "cohere" || c.type == "tei") return make_remote_reranker(c.remote);
  return Registry<Reranker>::instance().create({"reranker", "reranker", c.section, &r});
}

std::shared_ptr<Embedder> make_builtin_embedder(const ComponentSpec& spec) {
  return make_embedder(read_embedder_config(*spec.reader, spec.node, spec.key), *spec.reader);
}

std::shared_ptr<Reranker> make_builtin_reranker(const ComponentSpec& spec) {
  return make_reranker(read_reranker_config(*spec.reader, spec.node, spec.key), *spec.reader);
}

}  // namespace ragrt
