#pragma once
// Reading tokenizer.json with errors that say which file and which field was wrong, e.g.
// `tokenizer.json: normalizer.type "Foo" is not supported`.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"

namespace ragrt::text {

// Where a JSON value sits: the file name and the dotted path to the value.
struct JsonPath {
  std::string file;
  std::string path;

  JsonPath field(std::string_view name) const {
    return {file, path.empty() ? std::string(name) : path + "." + std::string(name)};
  }
  JsonPath index(size_t i) const { return {file, path + "[" + std::to_string(i) + "]"}; }
  std::string str() const { return path.empty() ? file : file + ": " + path; }
};

template <typename... Args>
[[noreturn]] void json_fail(const JsonPath& at, fmt::format_string<Args...> f, Args&&... args) {
  RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{} {}", at.str(), fmt::format(f, std::forward<Args>(args)...));
}

// The value of `key` in `obj`, or nullptr when absent or null.
const nlohmann::json* json_find(const nlohmann::json& obj, std::string_view key);
const nlohmann::json& json_require(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
void json_require_object(const nlohmann::json& v, const JsonPath& at);

bool json_bool(const nlohmann::json& obj, std::string_view key, const JsonPath& at, bool def);
std::optional<bool> json_opt_bool(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
std::string json_string(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                        std::optional<std::string> def = std::nullopt);
std::optional<std::string> json_opt_string(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
int64_t json_int(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                 std::optional<int64_t> def = std::nullopt);
std::optional<int64_t> json_opt_int(const nlohmann::json& obj, std::string_view key, const JsonPath& at);
// A single Unicode scalar given as a one-char JSON string (serde's `char`).
char32_t json_char(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                   std::optional<char32_t> def = std::nullopt);
// The "type" tag of a component.
std::string json_type(const nlohmann::json& obj, const JsonPath& at);

}  // namespace ragrt::text
