#pragma once
// Reading one YAML config file with messages that point at the place: "ragrt.yaml:12:5:
// retrievers.hybrid.rrf_k: expected a number, got 'x'". Every component parser (the knowledge
// base, generators, tools, pipelines) reads its section through this, so all of them reject
// unknown keys, name the expected type, resolve paths against the file's folder and expand
// ${ENV_VAR} references the same way.
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "ragrt/localized_text.h"

namespace ragrt::config {

class YamlReader {
 public:
  YamlReader(std::filesystem::path source, std::filesystem::path base) : source_(std::move(source)), base_(std::move(base)) {}

  // Throws ragrt::Error (kInvalidArgument): "<file>:<line>:<column>: <key>: <what>".
  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& what) const;

  void require_map(const YAML::Node& n, const std::string& key) const;
  // Rejects a key written twice in one mapping anywhere under `root`: YAML parsers keep one of the
  // two silently, so an edit lower in the file would look applied and not be.
  void reject_duplicate_keys(const YAML::Node& root, const std::string& key = "") const;
  // Rejects keys the section does not know, so a typo never silently falls back to a default.
  void only_keys(const YAML::Node& n, const std::string& key, std::initializer_list<std::string_view> known) const;
  void only_keys(const YAML::Node& n, const std::string& key, const std::vector<std::string>& known) const;

  std::string string(const YAML::Node& n, const std::string& key) const;
  // A string in which ${NAME} is replaced by the environment variable NAME; an unset variable is an
  // error naming it. For secrets: the expanded value must never be logged or traced.
  std::string env_string(const YAML::Node& n, const std::string& key) const;
  size_t count(const YAML::Node& n, const std::string& key, size_t min = 0) const;
  double number(const YAML::Node& n, const std::string& key) const;
  bool boolean(const YAML::Node& n, const std::string& key) const;
  std::vector<std::string> strings(const YAML::Node& n, const std::string& key) const;
  // One string (every language) or a map from language code (en, zh, …) to string.
  LocalizedText localized(const YAML::Node& n, const std::string& key) const;
  // Relative paths are relative to the config file's folder.
  std::filesystem::path path(const YAML::Node& n, const std::string& key) const;

  const std::filesystem::path& source() const { return source_; }
  const std::filesystem::path& base() const { return base_; }

 private:
  std::filesystem::path source_;
  std::filesystem::path base_;
};

// The problems of one config file, gathered section by section so that a check reports them all
// in one run instead of stopping at the first.
class ConfigErrors {
 public:
  // Runs `part`; a kInvalidArgument it throws (a mistake in the file) is kept, and the caller goes
  // on with the next part. Other errors pass.
  void collect(const std::function<void()>& part);
  bool empty() const { return messages_.empty(); }
  // One kInvalidArgument whose message is every kept one, a line each, in the order found.
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
};

// YAML as JSON: booleans, integers and numbers where YAML reads them so (unquoted), else strings.
nlohmann::ordered_json yaml_to_json(const YAML::Node& n);

// ${NAME} references in `text` replaced from the environment; `unset` receives the first missing
// name (and the text is returned unchanged) when one is not set.
std::string expand_env(const std::string& text, std::string* unset);

}  // namespace ragrt::config
