#include "ragrt/tool.h"

namespace ragrt {

nlohmann::ordered_json ToolSpec::to_openai() const {
  return {{"type", "function"},
          {"function", {{"name", name}, {"description", description}, {"parameters", parameters}}}};
}

const char* to_string(ToolStatus status) {
  switch (status) {
    case ToolStatus::kOk: return "ok";
    case ToolStatus::kInvalidArguments: return "invalid_arguments";
    case ToolStatus::kRefused: return "refused";
    case ToolStatus::kFailed: return "failed";
  }
  return "unknown";
}

}  // namespace ragrt

namespace ragrt {

namespace {
constexpr std::pair<ToolOutcome, const char*> kOutcomeNames[] = {
    {ToolOutcome::kOk, "ok"},           {ToolOutcome::kNotFound, "not_found"}, {ToolOutcome::kInvalidArgument, "invalid_argument"},
    {ToolOutcome::kUnavailable, "unavailable"}, {ToolOutcome::kTimeout, "timeout"}, {ToolOutcome::kRefused, "refused"}};
}  // namespace

const char* to_string(ToolOutcome outcome) {
  for (const auto& [o, name] : kOutcomeNames)
    if (o == outcome) return name;
  return "unknown";
}

std::optional<ToolOutcome> tool_outcome_named(std::string_view name) {
  for (const auto& [o, n] : kOutcomeNames)
    if (name == n) return o;
  return std::nullopt;
}

bool is_tool_failure(ToolOutcome outcome) {
  return outcome == ToolOutcome::kUnavailable || outcome == ToolOutcome::kTimeout || outcome == ToolOutcome::kRefused;
}

}  // namespace ragrt
