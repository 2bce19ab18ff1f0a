#pragma once
// Loading tools from YAML text as a config file would, for the tool tests.
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "ragrt/error.h"
#include "ragrt/yaml_reader.h"
#include "test_helpers.h"
#include "tools/tool_set.h"

namespace ragrt::testing {

// `yaml` holds a `tools:` mapping; relative paths resolve against `base`; messages say "tools.yaml".
inline tools::ToolSet load_tools(const std::string& yaml, const std::filesystem::path& base = ".") {
  YAML::Node root = YAML::Load(yaml);
  config::YamlReader reader("tools.yaml", base);
  return tools::ToolSet::from_yaml(root["tools"], reader);
}

inline std::string load_error(const std::string& yaml, const std::filesystem::path& base = ".") {
  return error_of([&] { load_tools(yaml, base); }, ErrorKind::kInvalidArgument);
}

}  // namespace ragrt::testing
