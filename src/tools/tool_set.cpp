#include "tools/tool_set.h"

#include <cctype>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "ragrt/registry.h"
#include "tools/tool_config.h"

namespace ragrt::tools {

bool ToolSet::valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  return true;
}

ToolSet ToolSet::from_yaml(const YAML::Node& tools, const config::YamlReader& reader, const std::string& key) {
  register_builtin_components();
  reader.require_map(tools, key);
  ToolSet set;
  // yaml-cpp keeps both entries of a repeated key; the second would silently replace the first.
  std::set<std::string> seen;
  for (const auto& entry : tools) {
    const std::string name = reader.string(entry.first, key);
    const std::string entry_key = key + "." + name;
    if (!valid_name(name)) reader.fail(entry.first, entry_key, "tool names must be 1 to 64 letters, digits, '_' or '-'");
    if (!seen.insert(name).second) reader.fail(entry.first, entry_key, "defined twice");
  }
  for (const auto& entry : tools) {
    const std::string name = entry.first.Scalar();
    set.add(Registry<Tool>::instance().create({name, key + "." + name, entry.second, &reader}));
  }
  return set;
}

void ToolSet::add(std::shared_ptr<const Tool> tool) {
  const std::string& name = tool->spec().name;
  if (!valid_name(name))
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "tool name '{}' must be 1 to 64 letters, digits, '_' or '-'", name);
  if (!tools_.emplace(name, std::move(tool)).second)
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "tool '{}' is defined twice", name);
}

std::shared_ptr<const Tool> ToolSet::find(const std::string& name) const {
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second;
}

std::vector<std::string> ToolSet::names() const {
  std::vector<std::string> out;
  for (const auto& [name, tool] : tools_) out.push_back(name);
  return out;
}

nlohmann::ordered_json ToolSet::specs_openai() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [name, tool] : tools_) out.push_back(tool->spec().to_openai());
  return out;
}

ToolResult ToolSet::call(const std::string& name, const nlohmann::json& arguments, const ToolCallOptions& options) const {
  ToolResult r = call_unclassified(name, arguments, options);
  classify(r, arguments);
  return r;
}

namespace {

// "order id 99999, email a@b.c": the arguments as the model and the logs read them.
std::string argument_list(const nlohmann::json& given) {
  std::string out;
  const nlohmann::json arguments = given.is_string() ? nlohmann::json::parse(given.get<std::string>(), nullptr, false) : given;
  if (!arguments.is_object()) return out;
  for (const auto& [k, v] : arguments.items()) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k, v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

}  // namespace

void ToolSet::classify(ToolResult& r, const nlohmann::json& arguments) {
  const bool empty_rows = r.ok() && r.data.is_object() && r.data.contains("rows") && r.data["rows"].is_array() &&
                          r.data["rows"].empty();
  if (r.ok() && !empty_rows) return;
  if (r.outcome == ToolOutcome::kOk) {
    r.outcome = empty_rows                                     ? ToolOutcome::kNotFound
                : r.status == ToolStatus::kInvalidArguments    ? ToolOutcome::kInvalidArgument
                : r.status == ToolStatus::kRefused             ? ToolOutcome::kRefused
                : r.content.find("timed out") != std::string::npos ? ToolOutcome::kTimeout
                                                               : ToolOutcome::kUnavailable;
  }
  const std::string args = argument_list(arguments);
  const std::string what = args.empty() ? "the request" : args;
  if (!empty_rows) r.detail = r.content;
  switch (r.outcome) {
    case ToolOutcome::kOk:
      break;
    case ToolOutcome::kNotFound:
      r.content = fmt::format("not_found: nothing matches {}. Tell the customer it was not found and ask them to check it.", what);
      break;
    case ToolOutcome::kInvalidArgument:
      // The schema's own message names the argument and the rule; it holds nothing of the service.
      r.content = r.status == ToolStatus::kInvalidArguments
                      ? fmt::format("invalid_argument: {} Correct the arguments if the question gives the right value; "
                                    "otherwise ask the customer for it.", r.detail)
                      : fmt::format("invalid_argument: the service rejected {} as malformed. Ask the customer to check it.", what);
      break;
    case ToolOutcome::kUnavailable:
      r.content = "unavailable: the service cannot be reached right now. Tell the customer this cannot be looked up at "
                  "the moment and to try again later; answer the rest from the documents.";
      break;
    case ToolOutcome::kTimeout:
      r.content = "timeout: the service did not answer in time. Tell the customer this cannot be looked up at the "
                  "moment and to try again in a few minutes; answer the rest from the documents.";
      break;
    case ToolOutcome::kRefused:
      r.content = "refused: this lookup is not permitted. Tell the customer it cannot be looked up here and to contact support.";
      break;
  }
}

ToolResult ToolSet::call_unclassified(const std::string& name, const nlohmann::json& arguments,
                                      const ToolCallOptions& options) const {
  auto tool = find(name);
  if (!tool) {
    return tool_result(ToolStatus::kInvalidArguments,
                       names().empty() ? fmt::format("unknown tool '{}': no tools are available", name)
                                       : fmt::format("unknown tool '{}' (available: {})", name, fmt::join(names(), ", ")));
  }
  nlohmann::json args = arguments;
  if (arguments.is_string()) {
    const std::string& text = arguments.get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      args = nlohmann::json::object();
    } else {
      try {
        args = nlohmann::json::parse(text);
      } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1,
        // column 5: ..."; the part after the id is what helps.
        std::string why = e.what();
        if (auto p = why.find("] "); p != std::string::npos) why = why.substr(p + 2);
        return tool_result(ToolStatus::kInvalidArguments, fmt::format("arguments are not valid JSON: {}", why));
      }
    }
  } else if (arguments.is_null()) {
    args = nlohmann::json::object();
  }
  try {
    return tool->call(args, options);
  } catch (const std::exception& e) {
    // Tools report failures as results; an exception here is a bug, still not the model's to crash on.
    return tool_result(ToolStatus::kFailed, fmt::format("tool '{}' failed: {}", name, e.what()));
  }
}

}  // namespace ragrt::tools
