#include "tools/tool_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ragrt::tools {

namespace {
constexpr size_t kMaxArgumentErrors = 5;  // enough to fix several mistakes in one retry
}

ToolSpec read_tool_spec(const ComponentSpec& c, const nlohmann::ordered_json& fallback_parameters) {
  const config::YamlReader& r = *c.reader;
  ToolSpec spec;
  spec.name = c.name;
  if (!c.node["description"]) r.fail(c.node, c.key + ".description", "missing: the model reads it to decide when to call the tool");
  spec.description = r.string(c.node["description"], c.key + ".description");
  if (spec.description.empty()) r.fail(c.node["description"], c.key + ".description", "must not be empty");
  spec.parameters = c.node["parameters"] ? config::yaml_to_json(c.node["parameters"]) : fallback_parameters;
  if (c.node["summary"]) spec.summary = r.localized(c.node["summary"], c.key + ".summary");
  if (const YAML::Node on_error = c.node["on_error"]) {
    const std::string key = c.key + ".on_error";
    r.require_map(on_error, key);
    for (const auto& kv : on_error) {
      const std::string name = r.string(kv.first, key);
      const auto outcome = tool_outcome_named(name);
      if (!outcome || *outcome == ToolOutcome::kOk)
        r.fail(kv.first, key, fmt::format("'{}' is not an outcome (not_found, invalid_argument, unavailable, timeout, refused)", name));
      spec.on_error[*outcome] = r.localized(kv.second, key + "." + name);
    }
  }
  if (c.node["degraded_after"]) spec.degraded_after = r.count(c.node["degraded_after"], c.key + ".degraded_after", 1);
  return spec;
}

JsonSchema compile_parameters(const ComponentSpec& c, const ToolSpec& spec) {
  const YAML::Node params = c.node["parameters"];
  const std::string key = c.key + ".parameters";
  try {
    JsonSchema schema = JsonSchema::compile(spec.parameters);
    if (!spec.parameters.is_object() || !spec.parameters.contains("type") || spec.parameters["type"] != "object")
      c.reader->fail(params, key, "must be a JSON Schema with type: object (tool arguments are named)");
    return schema;
  } catch (const JsonSchemaError& e) {
    // Point at the offending keyword's line: walk the YAML along the schema path, ending on the
    // last key itself. (reset, not =: assigning a YAML::Node overwrites the node it refers to.)
    YAML::Node at = params;
    YAML::Node value = params;
    std::string where = key;
    for (const std::string& step : e.path()) {
      if (!value.IsMap()) break;
      bool found = false;
      for (const auto& kv : value) {
        if (kv.first.Scalar() != step) continue;
        at.reset(kv.first);
        value.reset(kv.second);
        found = true;
        break;
      }
      if (!found) break;
      where += "." + step;
    }
    const std::string what = e.what();
    const std::string prefix = fmt::format("{}: ", fmt::join(e.path(), "."));
    c.reader->fail(at, where, what.starts_with(prefix) ? what.substr(prefix.size()) : what);
  }
}

ToolResult check_arguments(const JsonSchema& schema, const nlohmann::json& arguments) {
  std::vector<std::string> errors = schema.errors(arguments, kMaxArgumentErrors);
  if (errors.empty()) return {};
  return tool_result(ToolStatus::kInvalidArguments, fmt::format("{}.", fmt::join(errors, "; ")));
}

ToolResult tool_result(ToolStatus status, std::string content) {
  ToolResult r;
  r.status = status;
  r.content = std::move(content);
  return r;
}

}  // namespace ragrt::tools
