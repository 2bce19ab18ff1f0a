#pragma once
// Reading a JSON request body strictly: malformed JSON, invalid UTF-8, wrong types, unknown and
// missing fields are 400s whose message and `param` name the field (messages[1].content), so a
// client's typo never silently falls back to a default.
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt::server {

using json = nlohmann::ordered_json;

// Parses `body`; a syntax error or invalid UTF-8 is a 400 naming the field it is in.
json parse_json_body(const std::string& body);

// One JSON object of a request, with its path for messages ("" for the body itself).
class JsonObject {
 public:
  // 400 unless `value` is an object.
  JsonObject(const json& value, std::string path);

  // 400 naming the first key not in `known`.
  void only_keys(std::initializer_list<std::string_view> known) const;
  bool has(const std::string& key) const;  // present and not null
  const json& at(const std::string& key) const;  // 400 when missing
  std::string field(const std::string& key) const;  // its path, for messages

  std::string string(const std::string& key) const;  // required
  std::optional<std::string> optional_string(const std::string& key) const;
  std::optional<double> number(const std::string& key, double min, double max) const;
  std::optional<size_t> count(const std::string& key, size_t min, size_t max) const;
  std::optional<bool> boolean(const std::string& key) const;
  // A string or an array of strings (OpenAI's `stop`, `input`).
  std::optional<std::vector<std::string>> strings(const std::string& key) const;

 private:
  const json& value_;
  std::string path_;
};

// "messages" + 2 -> "messages[2]"; "" + "model" -> "model"; "a" + "b" -> "a.b".
std::string json_path(const std::string& parent, const std::string& key);
std::string json_path(const std::string& parent, size_t index);

}  // namespace ragrt::server
