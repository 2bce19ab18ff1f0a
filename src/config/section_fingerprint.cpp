#include <filesystem>

#include <yaml-cpp/yaml.h>

#include "ragrt/model_cache.h"
#include "ragrt/rag_config.h"

namespace ragrt {

std::string section_fingerprint(const RagConfig& config, const std::string& section, const std::set<std::string>& ignored) {
  if (config.text.empty() || config.file.empty()) return "";
  YAML::Node node;
  try {
    node = YAML::Load(config.text)[section];
  } catch (const YAML::Exception&) {
    return "";  // parse() accepted this text, so this does not happen; sharing is only an optimization
  }
  if (!node) return "";
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (node.IsMap()) {
    // Key order as written: reordering keys reloads the model, which is harmless.
    for (const auto& kv : node) {
      if (ignored.count(kv.first.Scalar())) continue;
      out << YAML::Key << kv.first << YAML::Value << kv.second;
    }
  } else {
    out << YAML::Key << section << YAML::Value << node;
  }
  out << YAML::EndMap;
  std::error_code ec;
  const auto folder = std::filesystem::absolute(config.file, ec).parent_path();
  return folder.string() + "\n" + section + "\n" + out.c_str();
}

}  // namespace ragrt
