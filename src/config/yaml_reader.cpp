#include "ragrt/yaml_reader.h"

#include "ragrt/trace.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "ragrt/trace.h"

namespace ragrt::config {

void YamlReader::fail(const YAML::Node& at, const std::string& key, const std::string& what) const {
  std::string where;
  if (at.IsDefined() && at.Mark().line >= 0) where = fmt::format(":{}:{}", at.Mark().line + 1, at.Mark().column + 1);
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}{}: {}: {}", source_.string(), where, key, what);
}

void YamlReader::require_map(const YAML::Node& n, const std::string& key) const {
  if (!n.IsMap()) fail(n, key, "must be a mapping (key: value)");
}

void YamlReader::reject_duplicate_keys(const YAML::Node& root, const std::string& key) const {
  if (root.IsSequence()) {
    for (size_t i = 0; i < root.size(); ++i) reject_duplicate_keys(root[i], fmt::format("{}[{}]", key, i));
    return;
  }
  if (!root.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (const auto& kv : root) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const std::string path = key.empty() ? k : key + "." + k;
    if (kv.first.IsScalar()) {
      auto [it, fresh] = seen.emplace(k, kv.first.Mark());
      if (!fresh) fail(kv.first, path, fmt::format("written twice (first at line {}): keep one", it->second.line + 1));
    }
    reject_duplicate_keys(kv.second, path);
  }
}

void YamlReader::only_keys(const YAML::Node& n, const std::string& key,
                           std::initializer_list<std::string_view> known) const {
  only_keys(n, key, std::vector<std::string>(known.begin(), known.end()));
}

void YamlReader::only_keys(const YAML::Node& n, const std::string& key, const std::vector<std::string>& known) const {
  require_map(n, key);
  for (const auto& kv : n) {
    const std::string k = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      fail(kv.first, key.empty() ? k : key + "." + k, fmt::format("unknown key (expected one of: {})", fmt::join(known, ", ")));
    }
  }
}

namespace {

template <typename T>
T get(const YamlReader& r, const YAML::Node& n, const std::string& key, const char* expected) {
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    r.fail(n, key, fmt::format("expected {}, got '{}'", expected, n.IsScalar() ? n.Scalar() : "a collection"));
  }
}

}  // namespace

std::string YamlReader::string(const YAML::Node& n, const std::string& key) const {
  if (!n.IsScalar()) fail(n, key, "expected a string");
  return n.Scalar();
}

LocalizedText YamlReader::localized(const YAML::Node& n, const std::string& key) const {
  if (n.IsScalar()) return LocalizedText(n.Scalar());
  if (!n.IsMap()) fail(n, key, "expected a string, or a map from language code to string ({en: \"…\", zh: \"…\"})");
  LocalizedText out;
  for (const auto& kv : n) {
    const std::string language = string(kv.first, key);
    const bool code = language.size() >= 2 && language.size() <= 8 &&
                      language.find_first_not_of("abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos;
    if (!code) fail(kv.first, key, fmt::format("'{}' is not a language code (en, zh, …)", language));
    out.by_language[language] = string(kv.second, key + "." + language);
  }
  if (out.empty()) fail(n, key, "must name at least one language");
  return out;
}

std::string YamlReader::env_string(const YAML::Node& n, const std::string& key) const {
  std::string unset;
  std::string value = expand_env(string(n, key), &unset);
  if (!unset.empty()) fail(n, key, fmt::format("environment variable {} is not set; export it before starting ragrt", unset));
  return value;
}

size_t YamlReader::count(const YAML::Node& n, const std::string& key, size_t min) const {
  const auto v = get<long long>(*this, n, key, "a whole number");
  if (v < static_cast<long long>(min)) fail(n, key, fmt::format("must be at least {}", min));
  return static_cast<size_t>(v);
}

double YamlReader::number(const YAML::Node& n, const std::string& key) const { return get<double>(*this, n, key, "a number"); }

bool YamlReader::boolean(const YAML::Node& n, const std::string& key) const { return get<bool>(*this, n, key, "true or false"); }

std::vector<std::string> YamlReader::strings(const YAML::Node& n, const std::string& key) const {
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) fail(n, key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : n) out.push_back(string(item, key));
  return out;
}

std::filesystem::path YamlReader::path(const YAML::Node& n, const std::string& key) const {
  std::filesystem::path p = string(n, key);
  if (p.empty()) fail(n, key, "must not be empty");
  return p.is_absolute() ? p : base_ / p;
}

nlohmann::ordered_json yaml_to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& kv : n) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
    return out;
  }
  if (n.IsSequence()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : n) out.push_back(yaml_to_json(item));
    return out;
  }
  if (!n.IsScalar()) return nullptr;
  if (n.Tag() == "!") return n.Scalar();  // quoted: a string whatever it looks like
  bool b;
  long long i;
  double d;
  if (YAML::convert<bool>::decode(n, b)) return b;
  if (YAML::convert<long long>::decode(n, i)) return i;
  if (YAML::convert<double>::decode(n, d)) return d;
  return n.Scalar();
}

std::string expand_env(const std::string& text, std::string* unset) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("${", i);
    if (open == std::string::npos) break;
    const size_t close = text.find('}', open + 2);
    if (close == std::string::npos) break;
    out.append(text, i, open - i);
    const std::string name = text.substr(open + 2, close - open - 2);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (!value) {
      if (unset) *unset = name.empty() ? "${}" : name;
      return text;
    }
    // Whatever comes from the environment is treated as a secret: it must not reach a trace or log.
    Redactor::global().add_secret(value);
    out += value;
    i = close + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

void ConfigErrors::collect(const std::function<void()>& part) {
  try {
    part();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kInvalidArgument) throw;
    messages_.push_back(e.what());
  }
}

void ConfigErrors::throw_if_any() const {
  if (messages_.empty()) return;
  // In the file's order: "FILE:LINE:COLUMN: …" by line and column (others keep their place first).
  auto place = [](const std::string& m) {
    static const std::regex kPlace(":([0-9]+):([0-9]+): ");
    std::smatch at;
    if (!std::regex_search(m, at, kPlace)) return std::pair<long, long>{0, 0};
    return std::pair<long, long>{std::stol(at[1]), std::stol(at[2])};
  };
  std::vector<std::string> sorted = messages_;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) { return place(a) < place(b); });
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}", fmt::join(sorted, "\n"));
}

}  // namespace ragrt::config
