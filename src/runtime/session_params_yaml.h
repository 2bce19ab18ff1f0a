#pragma once
// SessionParams from an already parsed YAML node, for configuration files that nest session
// settings inside a larger document (kept out of the public header so yaml-cpp stays private).
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "ragrt/runtime/session_params.h"
#include "ragrt/yaml_reader.h"

namespace ragrt::runtime {
SessionParams session_params_from_yaml(const YAML::Node& node, std::string_view source);

// The same inside a config read by `reader`: a mistake is reported at the section's file, line and
// column under `key` (e.g. "embedder.session").
inline SessionParams session_params_from_yaml(const config::YamlReader& reader, const YAML::Node& node,
                                              const std::string& key) {
  try {
    return session_params_from_yaml(node, reader.source().string());
  } catch (const Error& e) {
    reader.fail(node, key, e.what());
  }
}
}  // namespace ragrt::runtime
