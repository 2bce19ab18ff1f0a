#include "server/tool_health.h"

#include <fmt/chrono.h>
#include <spdlog/spdlog.h>

#include "tools/tool_set.h"

namespace ragrt::server {

void ToolHealth::record(const PipelineResult& result, const ComponentGraph& graph) {
  std::lock_guard lock(mutex_);
  for (const ToolCallRecord& call : result.tool_calls) {
    const auto tool = graph.tools().find(call.name);
    if (!tool) continue;  // a model's made-up name says nothing about a service
    State& s = tools_[call.name];
    s.last_outcome = to_string(call.result.outcome);
    if (!is_tool_failure(call.result.outcome)) {
      // not_found and invalid_argument are answers from a working service.
      if (s.degraded) spdlog::info("tool {}: answering again ({})", call.name, s.last_outcome);
      s = State{0, false, s.last_outcome, {}};
      continue;
    }
    ++s.failures;
    const size_t limit = tool->spec().degraded_after;
    if (!s.degraded && limit > 0 && s.failures >= limit) {
      s.degraded = true;
      s.since = std::chrono::system_clock::now();
      spdlog::warn("tool {}: degraded after {} failures in a row (last: {}); trace {}", call.name, s.failures,
                   s.last_outcome, result.trace_id);
    }
  }
}

std::vector<std::string> ToolHealth::degraded() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [name, s] : tools_)
    if (s.degraded) out.push_back(name);
  return out;
}

nlohmann::json ToolHealth::degraded_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, s] : tools_) {
    if (!s.degraded) continue;
    out.push_back({{"tool", name},
                   {"consecutive_failures", s.failures},
                   {"last_outcome", s.last_outcome},
                   {"since", fmt::format("{:%FT%TZ}", std::chrono::time_point_cast<std::chrono::seconds>(s.since))}});
  }
  return out;
}

}  // namespace ragrt::server
