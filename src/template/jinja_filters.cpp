#include "template/jinja_filters.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <functional>

#include "template/jinja_js.h"
#include "text/utf8.h"

namespace ragrt::jinja {
namespace {

using T = Value::Type;
using Args = std::vector<Value>;

[[noreturn]] void fail(const std::string& message) { throw RenderError(message); }

// args.at(i) ?? kwargs.get(name) ?? fallback
Value arg_or(const FilterCall& call, size_t i, const std::string& name, Value fallback) {
  if (i < call.args.size()) return call.args[i];
  if (const Value* v = call.kwargs.find(name)) return *v;
  return fallback;
}

Value arg_at(const Args& args, size_t i, Value fallback = Value()) { return i < args.size() ? args[i] : fallback; }

// JavaScript truthiness of the wrapped value: lists and dicts are objects, truthy even when empty.
bool raw_truthy(const Value& v) {
  return v.is_list() || v.is_attribute_container() || v.is(T::kFunction) || truthy(v);
}

// The raw value as Array.prototype.join writes it (null and undefined become empty).
std::string join_part(const Value& v) { return v.is_null() || v.is_undefined() ? "" : js_string(v); }

Value make_pairs(const Dict& d) {
  std::vector<Value> items;
  for (const auto& [k, v] : d.entries) items.push_back(Value::list({Value::string(k), v}));
  return Value::list(std::move(items));
}

std::string repeat_spaces(double width) {
  if (width < 0) fail("Invalid count value: " + js::number_to_string(width));
  return std::string(static_cast<size_t>(width), ' ');
}

// "a.b.0": dict keys and list indices, undefined when the path runs out.
Value attribute_path(const Value& item, const std::string& path) {
  Value value = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (value.is_attribute_container()) {
      const Value* found = value.as_dict().find(part);
      value = found ? *found : Value();
    } else if (value.is_list()) {
      auto index = js::parse_int(part);
      const auto& items = value.as_list().items;
      if (!index || *index < 0 || *index >= static_cast<double>(items.size())) return Value();
      value = items[static_cast<size_t>(*index)];
    } else {
      return Value();
    }
    if (dot == std::string::npos) return value;
    start = dot + 1;
  }
}

template <class Compare>
std::vector<Value> sorted(std::vector<Value> items, Compare compare) {
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) { return compare(a, b) < 0; });
  return items;
}

// --- string methods ---

std::string title_case(const std::string& s) {  // /\b\w/g: ASCII word characters only
  auto word = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  std::string out = s;
  for (size_t i = 0; i < out.size(); ++i) {
    if (word(out[i]) && (i == 0 || !word(s[i - 1])) && out[i] >= 'a' && out[i] <= 'z') out[i] = static_cast<char>(out[i] - 32);
  }
  return out;
}

std::string capitalize(const std::string& s) {  // charAt(0).toUpperCase() + slice(1)
  if (s.empty()) return s;
  size_t i = 0;
  char32_t first = text::decode_utf8(s.data(), i);
  if (first >= 0x10000) return s;  // charAt(0) is half a surrogate pair and stays as it is
  return js::to_upper(s.substr(0, i)) + s.substr(i);
}

bool affix_matches(const std::string& method, const std::string& s, const Args& args, bool prefix) {
  if (args.empty()) fail(method + "() requires at least one argument");
  auto test = [&](const std::string& affix) {
    if (affix.size() > s.size()) return false;
    return prefix ? s.compare(0, affix.size(), affix) == 0 : s.compare(s.size() - affix.size(), affix.size(), affix) == 0;
  };
  const Value& pattern = args[0];
  if (pattern.is_string()) return test(pattern.as_string());
  if (pattern.is_list()) {
    for (const auto& item : pattern.as_list().items) {
      if (!item.is_string()) fail(method + "() tuple elements must be strings");
      if (test(item.as_string())) return true;
    }
    return false;
  }
  fail(method + "() argument must be a string or tuple of strings");
}

// Python's str.split(sep=None, maxsplit=-1) as the oracle implements it.
Value split(const std::string& s, const Args& args) {
  Value sep = arg_at(args, 0, Value::null());
  if (!sep.is_string() && !sep.is_null()) fail("sep argument must be a string or null");
  Value maxsplit_value = arg_at(args, 1, Value::integer(-1));
  if (!maxsplit_value.is(T::kInt)) fail("maxsplit argument must be a number");
  double maxsplit = maxsplit_value.as_number();
  std::vector<std::string> parts;
  if (sep.is_null()) {
    std::string t = js::trim_start(s);
    size_t i = 0;
    while (i < t.size()) {
      while (size_t n = js::space_at(t, i)) i += n;
      if (i >= t.size()) break;
      if (maxsplit != -1 && static_cast<double>(parts.size()) >= maxsplit) {
        parts.push_back(t.substr(i));
        break;
      }
      size_t start = i;
      while (i < t.size() && js::space_at(t, i) == 0) i += text::utf8_seq_len(static_cast<unsigned char>(t[i]));
      parts.push_back(t.substr(start, i - start));
    }
  } else {
    const std::string& d = sep.as_string();
    if (d.empty()) fail("empty separator");
    size_t start = 0;
    for (size_t pos; (pos = s.find(d, start)) != std::string::npos; start = pos + d.size()) {
      parts.push_back(s.substr(start, pos - start));
    }
    parts.push_back(s.substr(start));
    if (maxsplit != -1 && static_cast<double>(parts.size()) > maxsplit) {
      // result.push(result.splice(maxsplit).join(sep))
      auto n = static_cast<double>(parts.size());
      auto keep = static_cast<size_t>(maxsplit < 0 ? std::max(n + maxsplit, 0.0) : std::min(maxsplit, n));
      std::string rest;
      for (size_t i = keep; i < parts.size(); ++i) rest += (i > keep ? d : "") + parts[i];
      parts.resize(keep);
      parts.push_back(rest);
    }
  }
  std::vector<Value> items;
  for (auto& p : parts) items.push_back(Value::string(std::move(p)));
  return Value::list(std::move(items));
}

Value replace(const std::string& s, const Args& args) {
  if (args.size() < 2) fail("replace() requires at least two arguments");
  if (!args[0].is_string() || !args[1].is_string()) fail("replace() arguments must be strings");
  Value count = Value::null();
  if (args.size() > 2) {
    if (args[2].is_kwargs()) {
      const Value* c = args[2].as_dict().find("count");
      count = c ? *c : Value::null();
    } else {
      count = args[2];
    }
  }
  if (!count.is(T::kInt) && !count.is_null()) fail("replace() count argument must be a number or null");
  const std::string &from = args[0].as_string(), &to = args[1].as_string();
  double remaining = count.is_null() || count.as_number() < 0 ? INFINITY : count.as_number();
  if (remaining == 0) return Value::string(s);
  std::string out;
  if (from.empty()) {  // an empty pattern matches at every code point boundary
    for (size_t i = 0;; i += text::utf8_seq_len(static_cast<unsigned char>(s[i]))) {
      if (remaining > 0) {
        out += to;
        --remaining;
      }
      if (i >= s.size()) break;
      out.append(s, i, text::utf8_seq_len(static_cast<unsigned char>(s[i])));
    }
    return Value::string(out);
  }
  size_t start = 0;
  for (size_t pos; remaining > 0 && (pos = s.find(from, start)) != std::string::npos; start = pos + from.size()) {
    out.append(s, start, pos - start);
    out += to;
    --remaining;
  }
  out.append(s, start, std::string::npos);
  return Value::string(out);
}

Value string_member(const std::string& s, const std::string& name) {
  using Fn = std::function<Value(const Args&)>;
  auto method = [](Fn fn) {
    return Value::function([fn = std::move(fn)](Args& args, const EnvPtr&) { return fn(args); });
  };
  if (name == "length") return Value::integer(static_cast<double>(js::utf16_length(s)));
  if (name == "upper") return method([s](const Args&) { return Value::string(js::to_upper(s)); });
  if (name == "lower") return method([s](const Args&) { return Value::string(js::to_lower(s)); });
  // The oracle's strip family ignores a `chars` argument and strips whitespace.
  if (name == "strip") return method([s](const Args&) { return Value::string(js::trim(s)); });
  if (name == "lstrip") return method([s](const Args&) { return Value::string(js::trim_start(s)); });
  if (name == "rstrip") return method([s](const Args&) { return Value::string(js::trim_end(s)); });
  if (name == "title") return method([s](const Args&) { return Value::string(title_case(s)); });
  if (name == "capitalize") return method([s](const Args&) { return Value::string(capitalize(s)); });
  if (name == "startswith") return method([s](const Args& a) { return Value::boolean(affix_matches("startswith", s, a, true)); });
  if (name == "endswith") return method([s](const Args& a) { return Value::boolean(affix_matches("endswith", s, a, false)); });
  if (name == "split") return method([s](const Args& a) { return split(s, a); });
  if (name == "replace") return method([s](const Args& a) { return replace(s, a); });
  return Value();
}

Value dictsort(const Dict& d, const Args& args) {
  Args positional;
  const Dict* kwargs = nullptr;
  for (const auto& a : args) {
    if (a.is_kwargs()) {
      kwargs = &a.as_dict();
    } else {
      positional.push_back(a);
    }
  }
  auto option = [&](size_t i, const char* name, Value fallback) {
    if (i < positional.size()) return positional[i];
    const Value* v = kwargs ? kwargs->find(name) : nullptr;
    return v ? *v : fallback;
  };
  Value case_sensitive = option(0, "case_sensitive", Value::boolean(false));
  if (!case_sensitive.is(T::kBool)) fail("case_sensitive must be a boolean");
  Value by = option(1, "by", Value::string("key"));
  if (!by.is_string()) fail("by must be a string");
  if (by.as_string() != "key" && by.as_string() != "value") fail("by must be either 'key' or 'value'");
  Value reverse = option(2, "reverse", Value::boolean(false));
  if (!reverse.is(T::kBool)) fail("reverse must be a boolean");
  size_t index = by.as_string() == "key" ? 0 : 1;
  auto pairs = make_pairs(d).as_list().items;
  return Value::list(sorted(std::move(pairs), [&](const Value& a, const Value& b) {
    int r = compare_values(a.as_list().items[index], b.as_list().items[index], case_sensitive.as_bool());
    return reverse.as_bool() ? -r : r;
  }));
}

Value dict_member(const Value& object, const std::string& name) {
  auto method = [&object](std::function<Value(const Dict&, const Args&)> fn) {
    return Value::function([object, fn = std::move(fn)](Args& args, const EnvPtr&) { return fn(object.as_dict(), args); });
  };
  if (name == "get") {
    return method([](const Dict& d, const Args& args) {
      Value key = arg_at(args, 0);
      if (!key.is_string()) fail("Object key must be a string: got " + type_name(key));
      if (const Value* v = d.find(key.as_string())) return *v;
      return args.size() > 1 ? args[1] : Value::null();
    });
  }
  if (name == "items") return method([](const Dict& d, const Args&) { return make_pairs(d); });
  if (name == "keys") {
    return method([](const Dict& d, const Args&) {
      std::vector<Value> keys;
      for (const auto& e : d.entries) keys.push_back(Value::string(e.first));
      return Value::list(std::move(keys));
    });
  }
  if (name == "values") {
    return method([](const Dict& d, const Args&) {
      std::vector<Value> values;
      for (const auto& e : d.entries) values.push_back(e.second);
      return Value::list(std::move(values));
    });
  }
  if (name == "dictsort") return method(dictsort);
  return Value();
}

// --- filters ---

Value call_builtin(const Value& builtin, Args args) {
  if (builtin.is(T::kFunction)) return builtin.as_function()(args, nullptr);
  return builtin;
}

Value unique(const std::vector<Value>& items) {
  std::vector<Value> out;
  for (const auto& item : items) {
    // Set semantics on the raw values: SameValueZero, so NaN equals NaN here.
    bool seen = std::any_of(out.begin(), out.end(), [&](const Value& o) {
      return strict_equals(o, item) || (o.is_number() && item.is_number() && std::isnan(o.as_number()) && std::isnan(item.as_number()));
    });
    if (!seen) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value indent(const std::string& s, double width, bool first, bool blank) {
  std::string pad = repeat_spaces(width), out;
  size_t start = 0, line = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string part = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    bool skip = (!first && line == 0) || (!blank && part.empty());
    out += skip ? part : pad + part;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
    ++line;
  }
  return Value::string(out);
}

Value plain_filter(const Value& operand, const std::string& name) {
  if (operand.is_list()) {
    const auto& items = operand.as_list().items;
    if (name == "list") return operand;
    if (name == "first") return items.empty() ? Value() : items.front();
    if (name == "last") return items.empty() ? Value() : items.back();
    if (name == "length") return Value::integer(static_cast<double>(items.size()));
    if (name == "reverse") return Value::list(std::vector<Value>(items.rbegin(), items.rend()));
    if (name == "sort") return Value::list(sorted(items, [](const Value& a, const Value& b) { return compare_values(a, b, false); }));
    if (name == "join") {
      std::string out;
      for (const auto& item : items) out += join_part(item);
      return Value::string(out);
    }
    if (name == "string") return Value::string(to_json(operand, {}, false));
    if (name == "unique") return unique(items);
    fail("Unknown ArrayValue filter: " + name);
  }
  if (operand.is_string()) {
    const std::string& s = operand.as_string();
    if (name == "length" || name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
      return call_builtin(string_member(s, name), {});
    }
    if (name == "trim") return Value::string(js::trim(s));
    if (name == "indent") return indent(s, 4, false, false);
    if (name == "join" || name == "string") return operand;
    if (name == "int") return Value::integer(js::parse_int(s).value_or(0));
    if (name == "float") return Value::floating(js::parse_float(s).value_or(0));
    fail("Unknown StringValue filter: " + name);
  }
  if (operand.is_number()) {
    double v = operand.as_number();
    if (name == "abs") return operand.is(T::kInt) ? Value::integer(std::fabs(v)) : Value::floating(std::fabs(v));
    if (name == "int") return Value::integer(std::floor(v));
    if (name == "float") return Value::floating(v);
    if (name == "string") return Value::string(to_output(operand));
    fail("Unknown NumericValue filter: " + name);
  }
  if (operand.is_dict()) {
    if (name == "items") return make_pairs(operand.as_dict());
    if (name == "length") return Value::integer(static_cast<double>(operand.as_dict().entries.size()));
    Value builtin = dict_member(operand, name);
    if (!builtin.is_undefined()) return call_builtin(builtin, {});
    fail("Unknown ObjectValue filter: " + name);
  }
  if (operand.is(T::kBool)) {
    bool b = operand.as_bool();
    if (name == "bool") return operand;
    if (name == "int") return Value::integer(b ? 1 : 0);
    if (name == "float") return Value::floating(b ? 1 : 0);
    if (name == "string") return Value::string(b ? "true" : "false");
    fail("Unknown BooleanValue filter: " + name);
  }
  fail("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
}

Value tojson(const Value& operand, const FilterCall& call) {
  JsonOptions options;
  const Value* indent_value = call.kwargs.find("indent");
  if (indent_value && !indent_value->is(T::kInt) && !indent_value->is_null()) fail("If set, indent must be a number");
  if (indent_value && indent_value->is(T::kInt)) options.indent = static_cast<int>(indent_value->as_number());
  const Value* ensure_ascii = call.kwargs.find("ensure_ascii");
  if (ensure_ascii && !ensure_ascii->is(T::kBool)) fail("If set, ensure_ascii must be a boolean");
  options.ensure_ascii = ensure_ascii && ensure_ascii->as_bool();
  const Value* sort_keys = call.kwargs.find("sort_keys");
  if (sort_keys && !sort_keys->is(T::kBool)) fail("If set, sort_keys must be a boolean");
  options.sort_keys = sort_keys && sort_keys->as_bool();
  if (const Value* separators = call.kwargs.find("separators"); separators && !separators->is_null()) {
    if (!separators->is_list()) fail("If set, separators must be a tuple of two strings");
    const auto& items = separators->as_list().items;
    if (items.size() != 2 || !items[0].is_string() || !items[1].is_string()) fail("separators must be a tuple of two strings");
    options.separators = std::make_pair(items[0].as_string(), items[1].as_string());
  }
  return Value::string(to_json(operand, options));
}

Value select_attribute(const Value& operand, const FilterCall& call) {
  const auto& items = operand.as_list().items;
  if (std::any_of(items.begin(), items.end(), [](const Value& v) { return !v.is_attribute_container(); })) {
    fail("`" + call.name + "` can only be applied to array of objects");
  }
  if (!call.string_literal_args) fail("arguments of `" + call.name + "` must be strings");
  if (call.args.empty()) fail("`" + call.name + "` requires an attribute name");
  const std::string& attribute = call.args[0].as_string();
  bool select = call.name == "selectattr";
  std::vector<Value> out;
  for (const auto& item : items) {
    const Value* a = item.as_dict().find(attribute);
    bool result = false;
    if (a && call.args.size() > 1) {
      result = apply_test(call.args[1].as_string(), *a, arg_at(call.args, 2));
    } else if (a) {
      result = truthy(*a);
    }
    if (result == select) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value map_attribute(const Value& operand, const FilterCall& call) {
  const Value* attribute = call.kwargs.find("attribute");
  if (!attribute) fail("`map` expressions without `attribute` set are not currently supported.");
  if (!attribute->is_string()) fail("attribute must be a string");
  const Value* fallback = call.kwargs.find("default");
  std::vector<Value> out;
  for (const auto& item : operand.as_list().items) {
    if (!item.is_attribute_container()) fail("items in map must be an object");
    Value v = attribute_path(item, attribute->as_string());
    out.push_back(v.is_undefined() && fallback ? *fallback : v);
  }
  return Value::list(std::move(out));
}

Value sort_with_options(const Value& operand, const FilterCall& call) {
  Value reverse = arg_or(call, 0, "reverse", Value::boolean(false));
  if (!reverse.is(T::kBool)) fail("reverse must be a boolean");
  Value case_sensitive = arg_or(call, 1, "case_sensitive", Value::boolean(false));
  if (!case_sensitive.is(T::kBool)) fail("case_sensitive must be a boolean");
  Value attribute = arg_or(call, 2, "attribute", Value::null());
  if (!attribute.is_string() && !attribute.is(T::kInt) && !attribute.is_null()) {
    fail("attribute must be a string, integer, or null");
  }
  auto key = [&](const Value& item) {
    if (attribute.is_null()) return item;
    return attribute_path(item, attribute.is_string() ? attribute.as_string() : js::number_to_string(attribute.as_number()));
  };
  return Value::list(sorted(operand.as_list().items, [&](const Value& a, const Value& b) {
    int r = compare_values(key(a), key(b), case_sensitive.as_bool());
    return reverse.as_bool() ? -r : r;
  }));
}

Value call_filter(const Value& operand, const FilterCall& call) {
  const std::string& name = call.name;
  if (name == "tojson") return tojson(operand, call);
  if (name == "join") {
    std::vector<std::string> parts;
    if (operand.is_string()) {
      parts = js::code_points(operand.as_string());
    } else if (operand.is_list()) {
      for (const auto& item : operand.as_list().items) parts.push_back(join_part(item));
    } else {
      fail("Cannot apply filter \"join\" to type: " + type_name(operand));
    }
    Value separator = arg_or(call, 0, "separator", Value::string(""));
    if (!separator.is_string()) fail("separator must be a string");
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator.as_string() : "") + parts[i];
    return Value::string(out);
  }
  if (name == "int" || name == "float") {
    bool is_int = name == "int";
    Value fallback = arg_or(call, 0, "default", is_int ? Value::integer(0) : Value::floating(0));
    if (operand.is_string()) {
      auto v = is_int ? js::parse_int(operand.as_string()) : js::parse_float(operand.as_string());
      if (!v) return fallback;
      return is_int ? Value::integer(*v) : Value::floating(*v);
    }
    if (operand.is_number()) return operand;
    if (operand.is(T::kBool)) {
      double v = operand.as_bool() ? 1 : 0;
      return is_int ? Value::integer(v) : Value::floating(v);
    }
    fail("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
  }
  if (name == "default") {
    Value fallback = arg_at(call.args, 0, Value::string(""));
    Value boolean = arg_or(call, 1, "boolean", Value::boolean(false));
    if (!boolean.is(T::kBool)) fail("`default` filter flag must be a boolean");
    if (operand.is_undefined() || (boolean.as_bool() && !truthy(operand))) return fallback;
    return operand;
  }
  if (operand.is_list()) {
    if (name == "sort") return sort_with_options(operand, call);
    if (name == "selectattr" || name == "rejectattr") return select_attribute(operand, call);
    if (name == "map") return map_attribute(operand, call);
    fail("Unknown ArrayValue filter: " + name);
  }
  if (operand.is_string()) {
    if (name == "indent") {
      Value width = arg_or(call, 0, "width", Value::integer(4));
      if (!width.is(T::kInt)) fail("width must be a number");
      bool first = raw_truthy(arg_or(call, 1, "first", Value::boolean(false)));
      bool blank = raw_truthy(arg_or(call, 2, "blank", Value::boolean(false)));
      return indent(operand.as_string(), width.as_number(), first, blank);
    }
    if (name == "replace") {
      Args args = call.args;
      auto kwargs = std::make_shared<Dict>(call.kwargs);
      kwargs->keyword_arguments = true;
      args.push_back(Value::dict(std::move(kwargs)));
      return replace(operand.as_string(), args);
    }
    fail("Unknown StringValue filter: " + name);
  }
  if (operand.is_dict()) {
    Value builtin = dict_member(operand, name);
    if (builtin.is(T::kFunction)) {
      Args args = call.args;
      if (!call.kwargs.entries.empty()) {
        auto kwargs = std::make_shared<Dict>(call.kwargs);
        kwargs->keyword_arguments = true;
        args.push_back(Value::dict(std::move(kwargs)));
      }
      return call_builtin(builtin, std::move(args));
    }
    fail("Unknown ObjectValue filter: " + name);
  }
  fail("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
}

// --- globals ---

std::string strftime(const std::tm& t, const std::string& format) {
  static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
  auto pad2 = [](int n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 >= format.size()) {
      out += format[i];
      continue;
    }
    char c = format[i + 1];
    switch (c) {
      case 'Y': out += std::to_string(t.tm_year + 1900); break;
      case 'm': out += pad2(t.tm_mon + 1); break;
      case 'd': out += pad2(t.tm_mday); break;
      case 'b': out += std::string(kMonths[t.tm_mon]).substr(0, 3); break;
      case 'B': out += kMonths[t.tm_mon]; break;
      case 'H': out += pad2(t.tm_hour); break;
      case 'M': out += pad2(t.tm_min); break;
      case '%': out += '%'; break;
      default: out += format.substr(i, 2); break;  // other directives stay as written
    }
    ++i;
  }
  return out;
}

Value from_number(double v) { return std::trunc(v) == v && std::isfinite(v) ? Value::integer(v) : Value::floating(v); }

Value range(const Args& args) {
  for (const auto& a : args) {
    if (!a.is_number()) fail("range() arguments must be numbers, got " + type_name(a));
  }
  if (args.empty()) fail("range() requires at least one argument");
  double start = args[0].as_number(), stop = 0, step = args.size() > 2 ? args[2].as_number() : 1;
  if (args.size() < 2) {
    stop = start;
    start = 0;
  } else {
    stop = args[1].as_number();
  }
  if (step == 0) fail("range() step must not be zero");
  // The oracle would loop until memory runs out; a template has no use for such a range.
  if (!std::isfinite(start) || !std::isfinite(stop) || std::fabs((stop - start) / step) > 1e7) {
    fail("range() is too large");
  }
  std::vector<Value> out;
  for (double i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(from_number(i));
  return Value::list(std::move(out));
}

Value make_namespace(Args& args) {
  Args positional = args;
  const Dict* kwargs = nullptr;
  if (!positional.empty() && positional.back().is_kwargs()) {
    kwargs = &args.back().as_dict();
    positional.pop_back();
  }
  if (positional.size() > 1) fail("namespace expected at most 1 argument, got " + std::to_string(positional.size()));
  auto entries = std::make_shared<Dict>();
  if (positional.size() == 1) {
    const Value& source = positional[0];
    if (source.is_dict()) {
      for (const auto& [k, v] : source.as_dict().entries) entries->set(k, v);
    } else if (source.is_list()) {
      for (const auto& pair : source.as_list().items) {
        std::vector<Value> kv;
        if (pair.is_list()) kv = pair.as_list().items;
        if (pair.is_string()) {
          for (auto& cp : js::code_points(pair.as_string())) kv.push_back(Value::string(cp));
        }
        if (kv.size() != 2) fail("namespace expected an object or an iterable of [key, value] pairs");
        if (!kv[0].is_string()) fail("namespace keys must be strings");
        entries->set(kv[0].as_string(), kv[1]);
      }
    } else {
      fail("'" + type_name(source) + "' object is not iterable");
    }
  }
  if (kwargs) {
    for (const auto& [k, v] : kwargs->entries) entries->set(k, v);
  }
  return Value::name_space(std::move(entries));
}

}  // namespace

Value apply_filter(const Value& operand, const FilterCall& call) {
  if (!call.parenthesized) {
    if (call.name == "safe") return operand;
    if (call.name == "tojson") return Value::string(to_json(operand, {}));
    return plain_filter(operand, call.name);
  }
  return call_filter(operand, call);
}

bool apply_test(const std::string& name, const Value& v, const Value& argument) {
  if (name == "boolean") return v.is(T::kBool);
  if (name == "callable") return v.is(T::kFunction);
  if (name == "odd" || name == "even") {
    if (!v.is(T::kInt)) fail("cannot " + name + " on " + type_name(v));
    bool odd = std::fmod(v.as_number(), 2) != 0;
    return name == "odd" ? odd : !odd;
  }
  if (name == "false") return v.is(T::kBool) && !v.as_bool();
  if (name == "true") return v.is(T::kBool) && v.as_bool();
  if (name == "none") return v.is_null();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.is(T::kInt);
  if (name == "iterable") return type_name(v) == "ArrayValue" || v.is_string();
  if (name == "mapping") return v.is_dict();
  if (name == "sequence") return v.is_list() || v.is_dict() || v.is_string();
  if (name == "lower") return v.is_string() && v.as_string() == js::to_lower(v.as_string());
  if (name == "upper") return v.is_string() && v.as_string() == js::to_upper(v.as_string());
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "equalto" || name == "eq") return strict_equals(v, argument);
  fail("Unknown test: " + name);
}

Value builtin_member(const Value& object, const std::string& name) {
  if (object.is_string()) return string_member(object.as_string(), name);
  if (object.is_list()) return name == "length" ? Value::integer(static_cast<double>(object.as_list().items.size())) : Value();
  if (object.is_dict()) return dict_member(object, name);
  return Value();
}

const Value& namespace_function() {
  static const Value fn = Value::function([](Args& args, const EnvPtr&) { return make_namespace(args); });
  return fn;
}

std::vector<std::pair<std::string, Value>> global_values(std::optional<std::tm> fixed_now) {
  auto raise_exception = Value::function([](Args& args, const EnvPtr&) -> Value {
    // new Error(args[0].value): no argument gives an empty message
    throw RenderError(args.empty() || args[0].is_undefined() ? "" : js_string(args[0]));
  });
  auto range_fn = Value::function([](Args& args, const EnvPtr&) { return range(args); });
  auto strftime_now = Value::function([fixed_now](Args& args, const EnvPtr&) {
    if (args.empty() || !args[0].is_string()) fail("strftime_now() expects a format string");
    std::tm now{};
    if (fixed_now) {
      now = *fixed_now;
    } else {
      std::time_t t = std::time(nullptr);
      localtime_r(&t, &now);
    }
    return Value::string(strftime(now, args[0].as_string()));
  });
  return {{"false", Value::boolean(false)}, {"true", Value::boolean(true)},   {"none", Value::null()},
          {"raise_exception", raise_exception}, {"range", range_fn},        {"strftime_now", strftime_now},
          {"True", Value::boolean(true)},   {"False", Value::boolean(false)}, {"None", Value::null()}};
}

}  // namespace ragrt::jinja
