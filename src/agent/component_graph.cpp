#include "ragrt/component_graph.h"

#include <openssl/evp.h>

#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "agent/pipelines.h"
#include "ragrt/error.h"
#include "ragrt/registry.h"
#include "tools/tool_set.h"

namespace ragrt {
namespace {

std::string short_sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < 6 && i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace

std::shared_ptr<const ComponentGraph> ComponentGraph::load(const std::filesystem::path& file, bool check_only) {
  // The file's sections and the graph's own (tools, pipelines, memory) are checked together, so
  // one run names every mistake.
  config::ConfigErrors errors;
  RagConfig config = RagConfig::load(file, &errors);
  return build(std::move(config), check_only, nullptr, &errors);
}

std::shared_ptr<const ComponentGraph> ComponentGraph::defaults(const std::filesystem::path& collection) {
  return build(RagConfig::defaults(collection));
}

std::shared_ptr<const ComponentGraph> ComponentGraph::build(RagConfig config, bool check_only,
                                                             ModelCache::Build* models, config::ConfigErrors* earlier) {
  register_builtin_components();
  std::shared_ptr<ComponentGraph> g(new ComponentGraph());
  const config::YamlReader r = config.reader();
  g->version_ = short_sha256(config.text);

  // Everything cheap to check comes first, so a bad edit fails before any model or index opens.
  config::ConfigErrors own;
  config::ConfigErrors& errors = earlier ? *earlier : own;
  g->tools_ = std::make_shared<tools::ToolSet>();
  errors.collect([&] {
    if (config.tools) g->tools_ = std::make_shared<tools::ToolSet>(tools::ToolSet::from_yaml(config.tools, r));
  });
  const std::vector<std::string> tool_names = g->tools_->names();
  if (config.pipelines) {
    errors.collect([&] { r.require_map(config.pipelines, "pipelines"); });
    for (const auto& kv : config.pipelines.IsMap() ? config.pipelines : YAML::Node(YAML::NodeType::Map)) {
      const std::string name = kv.first.as<std::string>();
      errors.collect([&] {
        g->pipelines_[name] = Registry<Pipeline>::instance().create({name, "pipelines." + name, kv.second, &r, tool_names});
      });
      if (g->default_pipeline_.empty()) g->default_pipeline_ = name;
    }
  } else if (!tool_names.empty()) {
    g->pipelines_["default"] = agent::make_agent_pipeline("default", {});
    g->default_pipeline_ = "default";
  } else {
    g->pipelines_["default"] = agent::make_rag_qa_pipeline("default", {});
    g->default_pipeline_ = "default";
  }
  if (!config.default_pipeline.empty() && errors.empty()) {
    if (!g->pipelines_.count(config.default_pipeline)) {
      const std::string message =
          fmt::format("no pipeline '{}' (declared: {})", config.default_pipeline, fmt::join(g->pipeline_names(), ", "));
      if (!config.text.empty()) r.fail(YAML::Load(config.text)["default_pipeline"], "default_pipeline", message);
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: default_pipeline: {}", config.file.string(), message);
    }
    g->default_pipeline_ = config.default_pipeline;
  }
  if (config.memory) {
    errors.collect([&] { g->memory_ = Registry<ConversationMemory>::instance().create({"memory", "memory", config.memory, &r}); });
  }
  errors.throw_if_any();
  if (config.store_traces && !check_only) {
    try {
      g->traces_ = TraceStore::open(config.traces_folder());
    } catch (const Error& e) {
      if (config.traces && config.traces["dir"]) r.fail(config.traces["dir"], "traces.dir", e.what());
      throw;
    }
  }
  if (!check_only) {
    ModelCache::Build unshared = ModelCache::no_cache();
    if (!models) models = &unshared;
    // Settings read per request do not identify the model: editing a prompt must not reload it.
    auto generator = models->entry<Generator>(
        section_fingerprint(config, "generator", {"sampling", "context_passages", "system_prompt"}));
    g->generator_ = std::shared_ptr<Generator>(generator, &generator->get([&]() -> std::shared_ptr<Generator> {
      // The built-in types were read with the config; an application's type goes through its registry.
      if (config.generator_section.IsMap() && !is_builtin_generator(config.generator.type))
        return Registry<Generator>::instance().create({"generator", "generator", config.generator_section, &r},
                                                      "extractive");
      return make_generator(config.generator);
    }));
    g->kb_ = KnowledgeBase::open(config, /*writer=*/false, models);
  }
  g->config_ = std::move(config);
  return g;
}

const Pipeline& ComponentGraph::pipeline(const std::string& name) const {
  const std::string& n = name.empty() ? default_pipeline_ : name;
  auto it = pipelines_.find(n);
  RAGRT_THROW_IF_NOT_KIND(it != pipelines_.end(), ErrorKind::kNotFound, "no pipeline '{}' (configured: {})", n,
                          fmt::join(pipeline_names(), ", "));
  return *it->second;
}

std::vector<std::string> ComponentGraph::pipeline_names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : pipelines_) out.push_back(name);
  return out;
}

size_t ComponentGraph::count_tokens(const ChatMessage& message) const { return estimate_tokens(message); }

PipelineResult ComponentGraph::run(const std::string& name, const PipelineRequest& request) const {
  const Pipeline& p = pipeline(name);
  Trace trace(p.type(), version_);
  auto root = trace.root();
  root->set("pipeline", p.name());
  if (!request.session.empty()) root->set("session", request.session);
  if (!request.user.empty()) root->set("user", request.user);
  if (!request.messages.empty() && request.messages.back().contains("content"))
    root->set("question", request.messages.back()["content"]);
  PipelineRequest traced = request;
  traced.span = root;
  const auto start = std::chrono::steady_clock::now();
  auto save = [&] {
    if (!traces_) return;
    try {
      traces_->save(trace.finish());
    } catch (const std::exception& e) {
      // An audit store that cannot be written must not cost the user the answer; it is logged.
      spdlog::error("trace {}: not stored: {}", trace.id(), e.what());
    }
  };
  try {
    PipelineResult result = p.run(traced, *this);
    result.trace_id = trace.id();
    result.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    root->set("finish_reason", to_string(result.finish_reason));
    // What the customer was told, so that an audit needs nothing but the trace.
    root->set("answer", result.answer);
    nlohmann::ordered_json citations = nlohmann::ordered_json::array();
    for (const Citation& c : result.citations) {
      nlohmann::ordered_json j = {{"id", c.id}, {"kind", c.kind}, {"source", c.source}};
      if (!c.section.empty()) j["section"] = c.section;
      if (c.page) j["page"] = *c.page;
      if (c.kind == "document") j["bytes"] = {c.start, c.end};
      citations.push_back(std::move(j));
    }
    root->set("citations", std::move(citations));
    root->set("usage", {{"prompt_tokens", result.prompt_tokens},
                        {"completion_tokens", result.completion_tokens},
                        {"total_tokens", result.prompt_tokens + result.completion_tokens},
                        {"model_calls", result.model_calls},
                        {"estimated", result.usage_estimated}});
    if (result.refused) root->set("refused", true);
    std::vector<std::string> failed;
    for (const ToolCallRecord& call : result.tool_calls) {
      if (call.result.outcome == ToolOutcome::kOk) continue;
      // Operators see the whole story here; the customer got a message that says none of it.
      const auto log = is_tool_failure(call.result.outcome) ? spdlog::level::warn : spdlog::level::info;
      spdlog::log(log, "trace {}: tool {} {}: {}", trace.id(), call.name, to_string(call.result.outcome),
                  Redactor::global().redact(call.result.detail.empty() ? call.result.content : call.result.detail));
      if (is_tool_failure(call.result.outcome)) failed.push_back(fmt::format("{} {}", call.name, to_string(call.result.outcome)));
    }
    if (!failed.empty()) root->degrade(fmt::format("tool failed: {}", fmt::join(failed, ", ")));
    save();
    return result;
  } catch (const std::exception& e) {
    root->fail(e.what());
    save();
    throw;
  }
}

}  // namespace ragrt
