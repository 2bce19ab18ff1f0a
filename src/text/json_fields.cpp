#include "text/json_fields.h"

#include "text/utf8.h"

namespace ragrt::text {

using nlohmann::json;

const json* json_find(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

void json_require_object(const json& v, const JsonPath& at) {
  if (!v.is_object()) json_fail(at, "must be a JSON object, got {}", v.type_name());
}

const json& json_require(const json& obj, std::string_view key, const JsonPath& at) {
  json_require_object(obj, at);
  const json* v = json_find(obj, key);
  if (!v) json_fail(at.field(key), "is missing");
  return *v;
}

bool json_bool(const json& obj, std::string_view key, const JsonPath& at, bool def) {
  return json_opt_bool(obj, key, at).value_or(def);
}

std::optional<bool> json_opt_bool(const json& obj, std::string_view key, const JsonPath& at) {
  const json* v = json_find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) json_fail(at.field(key), "must be a boolean, got {}", v->dump());
  return v->get<bool>();
}

std::optional<std::string> json_opt_string(const json& obj, std::string_view key, const JsonPath& at) {
  const json* v = json_find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) json_fail(at.field(key), "must be a string, got {}", v->dump());
  const auto& s = v->get_ref<const std::string&>();
  if (find_invalid_utf8(s) != kValidUtf8) json_fail(at.field(key), "is not valid UTF-8");
  return s;
}

std::string json_string(const json& obj, std::string_view key, const JsonPath& at,
                        std::optional<std::string> def) {
  auto v = json_opt_string(obj, key, at);
  if (v) return *v;
  if (def) return *def;
  json_fail(at.field(key), "is missing");
}

std::optional<int64_t> json_opt_int(const json& obj, std::string_view key, const JsonPath& at) {
  const json* v = json_find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) json_fail(at.field(key), "must be an integer, got {}", v->dump());
  return v->get<int64_t>();
}

int64_t json_int(const json& obj, std::string_view key, const JsonPath& at, std::optional<int64_t> def) {
  auto v = json_opt_int(obj, key, at);
  if (v) return *v;
  if (def) return *def;
  json_fail(at.field(key), "is missing");
}

char32_t json_char(const json& obj, std::string_view key, const JsonPath& at, std::optional<char32_t> def) {
  auto s = json_opt_string(obj, key, at);
  if (!s) {
    if (def) return *def;
    json_fail(at.field(key), "is missing");
  }
  if (s->empty() || count_chars(*s) != 1) json_fail(at.field(key), "must be a single character, got \"{}\"", *s);
  return decode_utf8_at(*s, 0);
}

std::string json_type(const json& obj, const JsonPath& at) {
  json_require_object(obj, at);
  const json* t = json_find(obj, "type");
  if (!t) json_fail(at.field("type"), "is missing");
  if (!t->is_string()) json_fail(at.field("type"), "must be a string, got {}", t->dump());
  return t->get<std::string>();
}

}  // namespace ragrt::text
