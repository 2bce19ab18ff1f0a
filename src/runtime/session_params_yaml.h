#pragma once
// SessionParams from an already parsed YAML node, for configuration files that nest session
// settings inside a larger document (kept out of the public header so yaml-cpp stays private).
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "ragrt/runtime/session_params.h"

namespace ragrt::runtime {
SessionParams session_params_from_yaml(const YAML::Node& node, std::string_view source);
}  // namespace ragrt::runtime
