#include "server/json_body.h"


#include <fmt/format.h>
#include <fmt/ranges.h>

#include "server/http_error.h"

namespace ragrt::server {
namespace {

const char* type_name(const json& v) {
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

// Follows a SAX parse to know which field the parser was in when it failed: nlohmann reports
// only a byte offset.
class PathTracker : public nlohmann::json_sax<json> {
 public:
  std::string path_at_error;
  std::string error;
  size_t byte = 0;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override {
    value();
    frames_.push_back({false, "", 0});
    return true;
  }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    value();
    frames_.push_back({true, "", 0});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    byte = position;
    error = e.what();
    std::string path;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      // An array's element being read: an open container below it was counted when it started; a
      // scalar being lexed was not.
      if (f.array) path = json_path(path, i + 1 < frames_.size() ? f.started - 1 : f.started);
      else if (!f.key.empty()) path = json_path(path, f.key);
    }
    path_at_error = path;
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::string key;
    size_t started;  // arrays: elements started so far
  };
  bool value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().started;
    return true;
  }
  std::vector<Frame> frames_;
};

// nlohmann's message without its prefix and the "last read" bytes (which may be invalid UTF-8).
std::string clean_parse_message(std::string what) {
  if (auto p = what.find("; last read"); p != std::string::npos) what.resize(p);
  if (auto p = what.find(" - "); p != std::string::npos) what = what.substr(p + 3);
  else if (auto q = what.find("] "); q != std::string::npos) what = what.substr(q + 2);
  return what;
}

}  // namespace

std::string json_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}
std::string json_path(const std::string& parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

json parse_json_body(const std::string& body) {
  if (body.empty()) bad_request("", "the request body is empty: send a JSON object");
  try {
    return json::parse(body);
  } catch (const json::parse_error&) {
  }
  PathTracker tracker;
  json::sax_parse(body, &tracker);
  const std::string where = tracker.path_at_error.empty() ? "" : " in " + tracker.path_at_error;
  bad_request(tracker.path_at_error, "malformed JSON at byte {}{}: {}", tracker.byte, where,
              clean_parse_message(tracker.error));
}

JsonObject::JsonObject(const json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object())
    bad_request(path_, "{} must be a JSON object, got {}", path_.empty() ? "the request body" : path_, type_name(value_));
}

std::string JsonObject::field(const std::string& key) const { return json_path(path_, key); }

void JsonObject::only_keys(std::initializer_list<std::string_view> known) const {
  for (const auto& [k, v] : value_.items()) {
    bool ok = false;
    for (auto name : known) ok = ok || name == k;
    if (!ok)
      bad_request(field(k), "unknown field '{}' (known: {})", field(k), fmt::join(known, ", "));
  }
}

bool JsonObject::has(const std::string& key) const {
  auto it = value_.find(key);
  return it != value_.end() && !it->is_null();
}

const json& JsonObject::at(const std::string& key) const {
  if (!has(key)) bad_request(field(key), "missing required field '{}'", field(key));
  return value_.at(key);
}

std::string JsonObject::string(const std::string& key) const {
  const json& v = at(key);
  if (!v.is_string()) bad_request(field(key), "'{}' must be a string, got {}", field(key), type_name(v));
  return v.get<std::string>();
}

std::optional<std::string> JsonObject::optional_string(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return string(key);
}

std::optional<double> JsonObject::number(const std::string& key, double min, double max) const {
  if (!has(key)) return std::nullopt;
  const json& v = value_.at(key);
  if (!v.is_number()) bad_request(field(key), "'{}' must be a number, got {}", field(key), type_name(v));
  const double d = v.get<double>();
  if (!(d >= min && d <= max)) bad_request(field(key), "'{}' must be between {} and {}, got {}", field(key), min, max, d);
  return d;
}

std::optional<size_t> JsonObject::count(const std::string& key, size_t min, size_t max) const {
  if (!has(key)) return std::nullopt;
  const json& v = value_.at(key);
  if (!v.is_number_integer()) bad_request(field(key), "'{}' must be an integer, got {}", field(key), type_name(v));
  // The parser stores non-negative integers as unsigned, negative ones as signed.
  if (!v.is_number_unsigned() || v.get<uint64_t>() < min || v.get<uint64_t>() > max)
    bad_request(field(key), "'{}' must be between {} and {}, got {}", field(key), min, max, v.dump());
  return static_cast<size_t>(v.get<uint64_t>());
}

std::optional<bool> JsonObject::boolean(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  const json& v = value_.at(key);
  if (!v.is_boolean()) bad_request(field(key), "'{}' must be true or false, got {}", field(key), type_name(v));
  return v.get<bool>();
}

std::optional<std::vector<std::string>> JsonObject::strings(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  const json& v = value_.at(key);
  if (v.is_string()) return std::vector<std::string>{v.get<std::string>()};
  if (!v.is_array()) bad_request(field(key), "'{}' must be a string or an array of strings, got {}", field(key), type_name(v));
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      bad_request(json_path(field(key), i), "'{}' must be a string, got {}", json_path(field(key), i), type_name(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

}  // namespace ragrt::server
