#pragma once
// Which tools are failing: a tool whose last `degraded_after` calls (ToolSpec) all failed
// (is_tool_failure) is degraded until a call succeeds. /readyz lists degraded tools and /metrics
// flags them; the server still answers, since questions about documents need no tool.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/component_graph.h"
#include "ragrt/pipeline.h"

namespace ragrt::server {

class ToolHealth {
 public:
  // The calls of one pipeline run, judged by the tools' specs in `graph`.
  void record(const PipelineResult& result, const ComponentGraph& graph);
  std::vector<std::string> degraded() const;
  // [{"tool", "consecutive_failures", "last_outcome", "since"}] for the degraded tools.
  nlohmann::json degraded_json() const;

 private:
  struct State {
    size_t failures = 0;  // in a row
    bool degraded = false;
    std::string last_outcome;
    std::chrono::system_clock::time_point since;  // when it became degraded
  };
  mutable std::mutex mutex_;
  std::map<std::string, State> tools_;
};

}  // namespace ragrt::server
