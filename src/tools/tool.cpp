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
