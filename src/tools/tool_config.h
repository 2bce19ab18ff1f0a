#pragma once
// What every tool type reads the same way from its YAML entry (description, parameters) and the
// argument check every call starts with.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "ragrt/registry.h"
#include "ragrt/tool.h"
#include "tools/json_schema.h"

namespace ragrt::tools {

// The spec's name and description; `parameters` from the node's `parameters` key when present,
// else `fallback`. The schema must describe an object; compile errors point at the schema's line.
ToolSpec read_tool_spec(const ComponentSpec& c, const nlohmann::ordered_json& fallback_parameters);
JsonSchema compile_parameters(const ComponentSpec& c, const ToolSpec& spec);

// kInvalidArguments naming every problem (a few at most), or kOk with empty content when valid.
ToolResult check_arguments(const JsonSchema& schema, const nlohmann::json& arguments);

ToolResult tool_result(ToolStatus status, std::string content);

}  // namespace ragrt::tools
