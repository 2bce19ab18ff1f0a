#include "tools/json_schema.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "text/utf8.h"

namespace ragrt::tools {

using json = nlohmann::json;
using schema_json = nlohmann::ordered_json;

namespace {

enum TypeBit : unsigned {
  kString = 1,
  kNumber = 2,
  kInteger = 4,
  kBoolean = 8,
  kObject = 16,
  kArray = 32,
  kNull = 64,
};

struct TypeName {
  const char* name;
  const char* phrase;  // as the model reads it: "must be an integer"
  TypeBit bit;
};
constexpr TypeName kTypes[] = {
    {"string", "a string", kString},    {"number", "a number", kNumber},     {"integer", "an integer", kInteger},
    {"boolean", "a boolean", kBoolean}, {"object", "an object", kObject},   {"array", "an array", kArray},
    {"null", "null", kNull},
};

const std::set<std::string_view> kAnnotations = {"title",   "description", "default",  "examples",  "format", "$schema",
                                                 "$id",     "$comment",    "readOnly", "writeOnly", "deprecated"};
const std::set<std::string_view> kKeywords = {
    "type",    "properties", "required", "additionalProperties", "enum",    "const",
    "items",   "minItems",   "maxItems", "minimum",              "maximum", "exclusiveMinimum",
    "exclusiveMaximum",      "minLength", "maxLength",           "pattern"};

struct PatternDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};

bool is_integer(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;  // draft 6+: 1.0 is an integer
}

unsigned type_of(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return kString;
    case json::value_t::boolean: return kBoolean;
    case json::value_t::object: return kObject;
    case json::value_t::array: return kArray;
    case json::value_t::null: return kNull;
    default: return is_integer(v) ? kInteger | kNumber : kNumber;
  }
}

// A value quoted in a message: compact, bounded, so a huge argument does not flood the model.
std::string shown(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 60) {
    size_t end = 57;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end) + "...";
  }
  return s;
}

std::string types_phrase(unsigned mask) {
  std::vector<std::string> names;
  for (const auto& t : kTypes)
    if ((mask & t.bit) && !(t.bit == kInteger && (mask & kNumber))) names.push_back(t.phrase);
  return fmt::format("{}", fmt::join(names, " or "));
}

}  // namespace

struct JsonSchema::Node {
  std::optional<bool> constant;  // true/false schemas
  unsigned types = 0;            // 0: any
  std::vector<std::pair<std::string, std::shared_ptr<const Node>>> properties;
  std::vector<std::string> required;
  bool additional_allowed = true;
  std::shared_ptr<const Node> additional;  // schema for properties not listed
  std::optional<json> const_value;
  std::optional<std::vector<json>> enum_values;
  std::shared_ptr<const Node> items;
  std::optional<size_t> min_items, max_items, min_length, max_length;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::shared_ptr<pcre2_code> pattern;
  std::string pattern_source;
};

namespace {

using Node = JsonSchema::Node;
using Path = std::vector<std::string>;

const std::pair<std::string_view, std::optional<size_t> Node::*> kCounts[] = {
    {"minItems", &Node::min_items}, {"maxItems", &Node::max_items}, {"minLength", &Node::min_length}, {"maxLength", &Node::max_length}};
const std::pair<std::string_view, std::optional<double> Node::*> kBounds[] = {
    {"minimum", &Node::minimum}, {"maximum", &Node::maximum},
    {"exclusiveMinimum", &Node::exclusive_minimum}, {"exclusiveMaximum", &Node::exclusive_maximum}};

[[noreturn]] void bad(const Path& path, const std::string& what) {
  throw JsonSchemaError(path, path.empty() ? what : fmt::format("{}: {}", fmt::join(path, "."), what));
}

size_t count_value(const schema_json& v, const Path& path) {
  if (!is_integer(v) || v.get<double>() < 0) bad(path, "must be a non-negative integer");
  return static_cast<size_t>(v.get<double>());
}

double number_value(const schema_json& v, const Path& path) {
  if (!v.is_number()) bad(path, fmt::format("must be a number, got {}", shown(v)));
  return v.get<double>();
}

unsigned type_bit(const schema_json& name, const Path& path) {
  if (name.is_string()) {
    for (const auto& t : kTypes)
      if (name.get<std::string>() == t.name) return t.bit;
  }
  bad(path, fmt::format("unknown type {} (expected string, number, integer, boolean, object, array or null)", shown(name)));
}

std::shared_ptr<pcre2_code> compile_pattern(const std::string& source, const Path& path) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(), PCRE2_UTF | PCRE2_UCP,
                                 &code, &offset, nullptr);
  if (!re) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    bad(path, fmt::format("does not compile at offset {}: {}", offset, reinterpret_cast<const char*>(buffer)));
  }
  return std::shared_ptr<pcre2_code>(re, PatternDeleter());
}

std::shared_ptr<const Node> compile_node(const schema_json& s, Path& path) {
  auto node = std::make_shared<Node>();
  if (s.is_boolean()) {
    node->constant = s.get<bool>();
    return node;
  }
  if (!s.is_object()) bad(path, fmt::format("a schema must be an object or a boolean, got {}", shown(s)));
  for (const auto& [key, value] : s.items()) {
    if (kAnnotations.count(key)) continue;
    path.push_back(key);
    if (!kKeywords.count(key)) {
      bad(path, fmt::format("unsupported JSON Schema keyword (supported: {})", fmt::join(kKeywords, ", ")));
    } else if (key == "type") {
      if (value.is_array()) {
        if (value.empty()) bad(path, "must not be an empty list");
        for (const schema_json& t : value) node->types |= type_bit(t, path);
      } else {
        node->types = type_bit(value, path);
      }
    } else if (key == "properties") {
      if (!value.is_object()) bad(path, "must be an object of schemas");
      for (const auto& [name, sub] : value.items()) {
        path.push_back(name);
        node->properties.emplace_back(name, compile_node(sub, path));
        path.pop_back();
      }
    } else if (key == "required") {
      if (!value.is_array()) bad(path, "must be a list of property names");
      for (const schema_json& name : value) {
        if (!name.is_string()) bad(path, fmt::format("must list property names, got {}", shown(name)));
        node->required.push_back(name.get<std::string>());
      }
    } else if (key == "additionalProperties") {
      if (value.is_boolean()) {
        node->additional_allowed = value.get<bool>();
      } else {
        node->additional = compile_node(value, path);
      }
    } else if (key == "enum") {
      if (!value.is_array()) bad(path, "must be a list of values");
      node->enum_values.emplace();
      for (const schema_json& v : value) node->enum_values->push_back(json(v));
    } else if (key == "const") {
      node->const_value = json(value);
    } else if (key == "items") {
      if (value.is_array()) bad(path, "a list of schemas (tuple validation) is not supported; give one schema");
      node->items = compile_node(value, path);
    } else if (auto count = std::find_if(std::begin(kCounts), std::end(kCounts), [&](const auto& c) { return key == c.first; });
               count != std::end(kCounts)) {
      node.get()->*count->second = count_value(value, path);
    } else if (auto bound = std::find_if(std::begin(kBounds), std::end(kBounds), [&](const auto& b) { return key == b.first; });
               bound != std::end(kBounds)) {
      node.get()->*bound->second = number_value(value, path);
    } else if (key == "pattern") {
      if (!value.is_string()) bad(path, "must be a regular expression string");
      node->pattern_source = value.get<std::string>();
      node->pattern = compile_pattern(node->pattern_source, path);
    }
    path.pop_back();
  }
  return node;
}

bool matches(const pcre2_code* re, const std::string& s) {
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(re, nullptr), &pcre2_match_data_free);
  // Arguments come from JSON, so they are valid UTF-8: skip the per-call UTF check.
  return pcre2_match(re, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, PCRE2_NO_UTF_CHECK, md.get(), nullptr) >= 0;
}

class Validator {
 public:
  Validator(size_t limit) : limit_(limit) {}
  std::vector<std::string> out;

  void check(const Node& n, const json& v, std::string& path);

 private:
  bool full() const { return out.size() >= limit_; }
  void add(const std::string& path, const std::string& what) {
    if (full()) return;
    out.push_back(path.empty() ? "the arguments " + what : fmt::format("argument '{}' {}", path, what));
  }
  void check_object(const Node& n, const json& v, std::string& path);
  void check_number(const Node& n, const json& v, const std::string& path);

  size_t limit_;
};

void Validator::check(const Node& n, const json& v, std::string& path) {
  if (full()) return;
  if (n.constant) {
    if (!*n.constant) add(path, "is not allowed");
    return;
  }
  const unsigned t = type_of(v);
  if (n.types && !(n.types & t)) {
    add(path, fmt::format("must be {}, got {}", types_phrase(n.types), shown(v)));
    return;  // further checks would only repeat the same mistake
  }
  if (n.const_value && !(*n.const_value == v)) add(path, fmt::format("must be {}, got {}", shown(*n.const_value), shown(v)));
  if (n.enum_values && std::find(n.enum_values->begin(), n.enum_values->end(), v) == n.enum_values->end()) {
    std::vector<std::string> options;
    for (const json& o : *n.enum_values) options.push_back(shown(o));
    add(path, fmt::format("must be one of {}, got {}", fmt::join(options, ", "), shown(v)));
  }
  if (t & kNumber) check_number(n, v, path);
  if (t == kString) {
    const std::string& s = v.get_ref<const std::string&>();
    const size_t chars = text::count_chars(s);
    if (n.min_length && chars < *n.min_length)
      add(path, fmt::format("must be at least {} characters long, got {}", *n.min_length, chars));
    if (n.max_length && chars > *n.max_length)
      add(path, fmt::format("must be at most {} characters long, got {}", *n.max_length, chars));
    if (n.pattern && !matches(n.pattern.get(), s)) add(path, fmt::format("must match {}", n.pattern_source));
  }
  if (t == kArray) {
    if (n.min_items && v.size() < *n.min_items) add(path, fmt::format("must have at least {} items, got {}", *n.min_items, v.size()));
    if (n.max_items && v.size() > *n.max_items) add(path, fmt::format("must have at most {} items, got {}", *n.max_items, v.size()));
    if (n.items) {
      for (size_t i = 0; i < v.size() && !full(); ++i) {
        const size_t keep = path.size();
        path += fmt::format("[{}]", i);
        check(*n.items, v[i], path);
        path.resize(keep);
      }
    }
  }
  if (t == kObject) check_object(n, v, path);
}

void Validator::check_number(const Node& n, const json& v, const std::string& path) {
  const double d = v.get<double>();
  if (n.minimum && d < *n.minimum) add(path, fmt::format("must be >= {}, got {}", *n.minimum, shown(v)));
  if (n.maximum && d > *n.maximum) add(path, fmt::format("must be <= {}, got {}", *n.maximum, shown(v)));
  if (n.exclusive_minimum && d <= *n.exclusive_minimum) add(path, fmt::format("must be > {}, got {}", *n.exclusive_minimum, shown(v)));
  if (n.exclusive_maximum && d >= *n.exclusive_maximum) add(path, fmt::format("must be < {}, got {}", *n.exclusive_maximum, shown(v)));
}

void Validator::check_object(const Node& n, const json& v, std::string& path) {
  auto member = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  for (const std::string& key : n.required)
    if (!v.contains(key)) add(member(key), "is required");
  for (const auto& [key, value] : v.items()) {
    if (full()) return;
    auto it = std::find_if(n.properties.begin(), n.properties.end(), [&](const auto& p) { return p.first == key; });
    const Node* sub = it != n.properties.end() ? it->second.get() : n.additional.get();
    if (it == n.properties.end() && !n.additional_allowed) {
      std::vector<std::string> known;
      for (const auto& p : n.properties) known.push_back(p.first);
      add(member(key), known.empty() ? "is not expected (no arguments are)"
                                     : fmt::format("is not expected (expected: {})", fmt::join(known, ", ")));
      continue;
    }
    if (!sub) continue;
    std::string child = member(key);
    check(*sub, value, child);
  }
}

}  // namespace

JsonSchema JsonSchema::compile(const schema_json& schema) {
  Path path;
  return JsonSchema(compile_node(schema, path));
}

std::vector<std::string> JsonSchema::errors(const json& value, size_t limit) const {
  Validator v(limit);
  std::string path;
  v.check(*root_, value, path);
  return std::move(v.out);
}

}  // namespace ragrt::tools
