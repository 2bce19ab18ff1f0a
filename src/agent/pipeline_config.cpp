#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "agent/pipelines.h"

namespace ragrt::agent {
namespace {

RagQaParams read_rag(const config::YamlReader& r, const YAML::Node& n, const std::string& key) {
  RagQaParams p;
  if (n["retriever"]) p.retriever = r.string(n["retriever"], key + ".retriever");
  if (n["passages"]) p.passages = r.count(n["passages"], key + ".passages", 1);
  return p;
}

}  // namespace

std::shared_ptr<Pipeline> make_rag_qa_pipeline_from(const ComponentSpec& spec) {
  const config::YamlReader& r = *spec.reader;
  r.only_keys(spec.node, spec.key, {"type", "retriever", "passages"});
  return make_rag_qa_pipeline(spec.name, read_rag(r, spec.node, spec.key));
}

std::shared_ptr<Pipeline> make_agent_pipeline_from(const ComponentSpec& spec) {
  const config::YamlReader& r = *spec.reader;
  const YAML::Node& n = spec.node;
  const std::string& key = spec.key;
  const std::vector<std::string>& tool_names = spec.tools;
  r.only_keys(n, key, {"type", "retriever", "passages", "tools", "max_steps", "step_timeout_s", "protocol", "route"});
  AgentParams p;
  p.rag = read_rag(r, n, key);
  auto known = [&](const YAML::Node& at, const std::string& tool, const std::string& where) {
    if (std::find(tool_names.begin(), tool_names.end(), tool) == tool_names.end())
      r.fail(at, where,
             tool_names.empty() ? fmt::format("no tool '{}': the config has no `tools:` section", tool)
                                : fmt::format("no tool '{}' (declared tools: {})", tool, fmt::join(tool_names, ", ")));
  };
  if (n["tools"]) {
    p.tools = r.strings(n["tools"], key + ".tools");
    for (const auto& t : p.tools) known(n["tools"], t, key + ".tools");
  }
  if (n["max_steps"]) p.max_steps = r.count(n["max_steps"], key + ".max_steps", 1);
  if (n["step_timeout_s"]) {
    const double s = r.number(n["step_timeout_s"], key + ".step_timeout_s");
    if (!(s > 0)) r.fail(n["step_timeout_s"], key + ".step_timeout_s", "must be above 0");
    p.step_timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000));
  }
  if (n["protocol"]) {
    const std::string v = r.string(n["protocol"], key + ".protocol");
    if (v == "auto") p.protocol = ToolProtocol::kAuto;
    else if (v == "function_calling") p.protocol = ToolProtocol::kFunctionCalling;
    else if (v == "react") p.protocol = ToolProtocol::kReact;
    else if (v == "rules") p.protocol = ToolProtocol::kRules;
    else r.fail(n["protocol"], key + ".protocol", fmt::format("'{}' is not one of auto, function_calling, react, rules", v));
  }
  if (const auto& route = n["route"]) {
    r.require_map(route, key + ".route");
    for (const auto& kv : route) {
      const std::string tool = kv.first.as<std::string>();
      known(kv.first, tool, key + ".route." + tool);
      p.route[tool] = r.strings(kv.second, key + ".route." + tool);
    }
  }
  return make_agent_pipeline(spec.name, std::move(p));
}

}  // namespace ragrt::agent
