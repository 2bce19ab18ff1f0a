#include "template/jinja_value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "template/jinja_js.h"
#include "text/utf8.h"

namespace ragrt::jinja {
namespace {

std::string float_output(double v) {
  if (v == 0 && std::signbit(v)) return "-0.0";
  if (std::isfinite(v) && std::fmod(v, 1) == 0) {
    if (std::fabs(v) >= 1e21) return js::number_to_string(v);  // toFixed gives up there
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.0f.0", v);
    return buf;
  }
  return js::number_to_string(v);
}

std::string json_number(double v) { return std::isfinite(v) ? js::number_to_string(v) : "null"; }

// Canonical array index ("0", "17", not "017"): JavaScript enumerates such keys first.
bool is_array_index(const std::string& key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  if (!std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoull(key) < 4294967295ull;
}

std::string sanitize(const std::string& s) {
  return text::find_invalid_utf8(s) == text::kValidUtf8 ? s : text::from_utf8_lossy(s);
}

template <class Json>
Value convert(const Json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::null();
    case nlohmann::json::value_t::boolean:
      return Value::boolean(j.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::integer(static_cast<double>(j.template get<int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return Value::integer(static_cast<double>(j.template get<uint64_t>()));
    case nlohmann::json::value_t::number_float: {
      double v = j.template get<double>();
      return std::isfinite(v) && std::trunc(v) == v ? Value::integer(v) : Value::floating(v);
    }
    case nlohmann::json::value_t::string:
      return Value::string(sanitize(j.template get_ref<const std::string&>()));
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& item : j) items.push_back(convert(item));
      return Value::list(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<std::string, Value>> indices, named;
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::string key = sanitize(it.key());
        (is_array_index(key) ? indices : named).emplace_back(key, convert(it.value()));
      }
      std::stable_sort(indices.begin(), indices.end(),
                       [](const auto& a, const auto& b) { return std::stoull(a.first) < std::stoull(b.first); });
      for (auto& entry : named) indices.push_back(std::move(entry));
      return Value::dict(std::move(indices));
    }
    default:
      throw RenderError("Cannot convert to runtime value: binary or discarded JSON");
  }
}

// JavaScript's primitive view of a value for loose equality.
struct Primitive {
  enum Kind { kNumber, kString, kBool } kind;
  double number = 0;
  std::string string;
  bool boolean = false;
};

Primitive primitive_of(const Value& v) {
  switch (v.type()) {
    case Value::Type::kBool:
      return {Primitive::kBool, 0, {}, v.as_bool()};
    case Value::Type::kInt:
    case Value::Type::kFloat:
      return {Primitive::kNumber, v.as_number(), {}, false};
    case Value::Type::kString:
      return {Primitive::kString, 0, v.as_string(), false};
    default:
      return {Primitive::kString, 0, js_string(v), false};  // ToPrimitive of an object
  }
}

bool loose_primitive_equals(const Primitive& a, const Primitive& b) {
  if (a.kind == Primitive::kBool) return loose_primitive_equals({Primitive::kNumber, a.boolean ? 1.0 : 0.0, {}, false}, b);
  if (b.kind == Primitive::kBool) return loose_primitive_equals(a, {Primitive::kNumber, b.boolean ? 1.0 : 0.0, {}, false});
  if (a.kind == Primitive::kString && b.kind == Primitive::kString) return a.string == b.string;
  double x = a.kind == Primitive::kNumber ? a.number : js::string_to_number(a.string);
  double y = b.kind == Primitive::kNumber ? b.number : js::string_to_number(b.string);
  return x == y;
}

bool is_object(const Value& v) {
  return v.is_list() || v.is_attribute_container() || v.is(Value::Type::kFunction);
}

bool is_numeric_like(const Value& v) { return v.is_number() || v.is(Value::Type::kBool); }
double numeric_value(const Value& v) { return v.is(Value::Type::kBool) ? (v.as_bool() ? 1 : 0) : v.as_number(); }

}  // namespace

const Value* Dict::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Dict::set(const std::string& key, Value value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(key, std::move(value));
}

Value Value::list(std::vector<Value> items, bool tuple) {
  auto l = std::make_shared<List>();
  l->items = std::move(items);
  l->tuple = tuple;
  return Value(Type::kList, std::move(l));
}

Value Value::dict(std::vector<std::pair<std::string, Value>> entries) {
  auto d = std::make_shared<Dict>();
  d->entries = std::move(entries);
  return Value(Type::kDict, std::move(d));
}

const void* Value::identity() const {
  switch (type_) {
    case Type::kList: return std::get<std::shared_ptr<List>>(data_).get();
    case Type::kDict:
    case Type::kNamespace: return std::get<std::shared_ptr<Dict>>(data_).get();
    case Type::kFunction: return std::get<std::shared_ptr<NativeFunction>>(data_).get();
    default: return nullptr;
  }
}

std::string type_name(const Value& v) {
  switch (v.type()) {
    case Value::Type::kUndefined: return "UndefinedValue";
    case Value::Type::kNull: return "NullValue";
    case Value::Type::kBool: return "BooleanValue";
    case Value::Type::kInt: return "IntegerValue";
    case Value::Type::kFloat: return "FloatValue";
    case Value::Type::kString: return "StringValue";
    case Value::Type::kList: return v.as_list().tuple ? "TupleValue" : "ArrayValue";
    case Value::Type::kDict: return v.as_dict().keyword_arguments ? "KeywordArgumentsValue" : "ObjectValue";
    case Value::Type::kNamespace: return "NamespaceValue";
    case Value::Type::kFunction: return "FunctionValue";
  }
  return "RuntimeValue";
}

bool truthy(const Value& v) {
  switch (v.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNull: return false;
    case Value::Type::kBool: return v.as_bool();
    case Value::Type::kInt:
    case Value::Type::kFloat: return v.as_number() != 0 && !std::isnan(v.as_number());
    case Value::Type::kString: return !v.as_string().empty();
    case Value::Type::kList: return !v.as_list().items.empty();
    case Value::Type::kDict: return !v.as_dict().entries.empty();
    case Value::Type::kNamespace:
    case Value::Type::kFunction: return true;
  }
  return false;
}

std::string to_output(const Value& v) {
  switch (v.type()) {
    case Value::Type::kUndefined: return "undefined";
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return v.as_bool() ? "true" : "false";
    case Value::Type::kInt: return js::number_to_string(v.as_number());
    case Value::Type::kFloat: return float_output(v.as_number());
    case Value::Type::kString: return v.as_string();
    case Value::Type::kList:
    case Value::Type::kDict:
    case Value::Type::kNamespace: return to_json(v, {}, false);
    case Value::Type::kFunction: break;
  }
  throw RenderError("Cannot render a function or macro as text");
}

std::string js_string(const Value& v) {
  switch (v.type()) {
    case Value::Type::kInt:
    case Value::Type::kFloat: return js::number_to_string(v.as_number());
    case Value::Type::kList: {
      std::string out;
      const auto& items = v.as_list().items;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += to_output(items[i]);
      }
      return out;
    }
    case Value::Type::kDict:
    case Value::Type::kNamespace: return "[object Map]";
    default: return to_output(v);
  }
}

std::string to_json(const Value& v, const JsonOptions& options, bool undefined_as_null, int depth) {
  switch (v.type()) {
    case Value::Type::kNull: return "null";
    case Value::Type::kUndefined: return undefined_as_null ? "null" : "undefined";
    case Value::Type::kInt:
    case Value::Type::kFloat: return json_number(v.as_number());
    case Value::Type::kBool: return v.as_bool() ? "true" : "false";
    case Value::Type::kString: return js::json_quote(v.as_string(), options.ensure_ascii);
    case Value::Type::kFunction: throw RenderError("Cannot convert to JSON: FunctionValue");
    default: break;
  }
  if ((v.is_list() && v.as_list().tuple) || v.is_kwargs()) throw RenderError("Cannot convert to JSON: " + type_name(v));

  int indent = options.indent.value_or(0);
  if (indent < 0) throw RenderError("Invalid count value: " + std::to_string(indent));
  std::string item_sep = ", ", key_sep = ": ";
  if (options.separators) {
    std::tie(item_sep, key_sep) = *options.separators;
  } else if (indent) {
    item_sep = ",";
  }
  std::string indent_str(static_cast<size_t>(indent), ' ');
  std::string base_pad = "\n";
  for (int i = 0; i < depth; ++i) base_pad += indent_str;
  std::string child_pad = base_pad + indent_str;

  std::vector<std::string> core;
  char open = '[', close = ']';
  if (v.is_list()) {
    for (const auto& item : v.as_list().items) core.push_back(to_json(item, options, undefined_as_null, depth + 1));
    if (indent && !core.empty()) {
      std::string out = "[" + child_pad;
      for (size_t i = 0; i < core.size(); ++i) out += (i ? item_sep + child_pad : "") + core[i];
      return out + base_pad + "]";
    }
  } else {
    open = '{', close = '}';
    std::vector<const std::pair<std::string, Value>*> entries;
    for (const auto& e : v.as_dict().entries) entries.push_back(&e);
    if (options.sort_keys) {
      std::stable_sort(entries.begin(), entries.end(),
                       [](const auto* a, const auto* b) { return js::locale_compare(a->first, b->first) < 0; });
    }
    for (const auto* e : entries) {
      std::string entry = js::json_quote(e->first, options.ensure_ascii) + key_sep +
                          to_json(e->second, options, undefined_as_null, depth + 1);
      core.push_back(indent ? child_pad + entry : entry);
    }
  }
  std::string out(1, open);
  for (size_t i = 0; i < core.size(); ++i) out += (i ? item_sep : "") + core[i];
  if (indent && !core.empty() && close == '}') out += base_pad;
  return out + close;
}

bool loose_equals(const Value& a, const Value& b) {
  if (is_object(a) && is_object(b)) return a.identity() == b.identity();
  bool a_nullish = a.is_null() || a.is_undefined(), b_nullish = b.is_null() || b.is_undefined();
  if (a_nullish || b_nullish) return a_nullish && b_nullish;
  return loose_primitive_equals(primitive_of(a), primitive_of(b));
}

bool strict_equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_number() == b.as_number();
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNull: return true;
    case Value::Type::kBool: return a.as_bool() == b.as_bool();
    case Value::Type::kString: return a.as_string() == b.as_string();
    default: return a.identity() == b.identity();
  }
}

int compare_values(const Value& a, const Value& b, bool case_sensitive) {
  if (a.is_null() && b.is_null()) return 0;
  if (a.is_null() || b.is_null()) throw RenderError("Cannot compare " + type_name(a) + " with " + type_name(b));
  if (a.is_undefined() && b.is_undefined()) return 0;
  if (a.is_undefined() || b.is_undefined()) throw RenderError("Cannot compare " + type_name(a) + " with " + type_name(b));
  if (is_numeric_like(a) && is_numeric_like(b)) {
    double x = numeric_value(a), y = numeric_value(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type_name(a) != type_name(b)) {
    throw RenderError("Cannot compare different types: " + type_name(a) + " and " + type_name(b));
  }
  if (!a.is_string()) throw RenderError("Cannot compare type: " + type_name(a));
  std::string x = case_sensitive ? a.as_string() : js::to_lower(a.as_string());
  std::string y = case_sensitive ? b.as_string() : js::to_lower(b.as_string());
  return x < y ? -1 : x > y ? 1 : 0;
}

Value from_json(const nlohmann::ordered_json& j) { return convert(j); }
Value from_json(const nlohmann::json& j) { return convert(j); }

}  // namespace ragrt::jinja
