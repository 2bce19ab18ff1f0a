#pragma once
// Runtime values of the Jinja interpreter, modelled on @huggingface/jinja's RuntimeValue classes
// because rendering parity depends on their quirks: integers and floats are both JavaScript
// numbers (doubles) that differ only in how they print, lists and dicts are shared by reference
// (== compares identity), dicts keep insertion order, and call arguments given by keyword reach
// functions as one trailing "KeywordArgumentsValue" dict.
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt::jinja {

// A failure while rendering; the interpreter adds the template line of the innermost node.
struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
  int line = 0;
};

class Value;
class Environment;
using EnvPtr = std::shared_ptr<Environment>;

struct List {
  std::vector<Value> items;
  bool tuple = false;  // TupleValue: iterable like a list, but tojson and printing refuse it
};

struct Dict {
  std::vector<std::pair<std::string, Value>> entries;
  bool keyword_arguments = false;  // the trailing kwargs of a call

  const Value* find(std::string_view key) const;
  void set(const std::string& key, Value value);
};

// Receives the positional arguments (plus a trailing keyword_arguments dict when keywords were
// given) and the environment of the call site: macros see the caller's variables.
using NativeFunction = std::function<Value(std::vector<Value>& args, const EnvPtr& scope)>;

class Value {
 public:
  enum class Type { kUndefined, kNull, kBool, kInt, kFloat, kString, kList, kDict, kNamespace, kFunction };

  Value() = default;
  static Value null() { return Value(Type::kNull, std::monostate{}); }
  static Value boolean(bool b) { return Value(Type::kBool, b); }
  static Value integer(double v) { return Value(Type::kInt, v); }
  static Value floating(double v) { return Value(Type::kFloat, v); }
  static Value string(std::string s) { return Value(Type::kString, std::move(s)); }
  static Value list(std::vector<Value> items, bool tuple = false);
  static Value dict(std::shared_ptr<Dict> d) { return Value(Type::kDict, std::move(d)); }
  static Value dict(std::vector<std::pair<std::string, Value>> entries = {});
  static Value name_space(std::shared_ptr<Dict> d) { return Value(Type::kNamespace, std::move(d)); }
  static Value function(NativeFunction fn) {
    return Value(Type::kFunction, std::make_shared<NativeFunction>(std::move(fn)));
  }

  Type type() const { return type_; }
  bool is(Type t) const { return type_ == t; }
  bool is_undefined() const { return type_ == Type::kUndefined; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kInt || type_ == Type::kFloat; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_list() const { return type_ == Type::kList; }
  bool is_dict() const { return type_ == Type::kDict; }  // ObjectValue (incl. keyword arguments)
  bool is_attribute_container() const { return type_ == Type::kDict || type_ == Type::kNamespace; }
  bool is_kwargs() const { return is_dict() && as_dict().keyword_arguments; }

  bool as_bool() const { return std::get<bool>(data_); }
  double as_number() const { return std::get<double>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  List& as_list() const { return *std::get<std::shared_ptr<List>>(data_); }
  Dict& as_dict() const { return *std::get<std::shared_ptr<Dict>>(data_); }
  const NativeFunction& as_function() const { return *std::get<std::shared_ptr<NativeFunction>>(data_); }
  // Identity of a list, dict or function (JavaScript reference equality).
  const void* identity() const;

 private:
  using Data = std::variant<std::monostate, bool, double, std::string, std::shared_ptr<List>,
                            std::shared_ptr<Dict>, std::shared_ptr<NativeFunction>>;
  Value(Type t, Data d) : type_(t), data_(std::move(d)) {}

  Type type_ = Type::kUndefined;
  Data data_;
};

// The oracle's class name ("StringValue", "TupleValue", ...), used in error messages.
std::string type_name(const Value& v);

// __bool__: empty lists and dicts are false, a namespace always true.
bool truthy(const Value& v);

// What {{ v }} writes (RuntimeValue.toString): floats keep a ".0", lists and dicts print as
// JSON with undefined shown as `undefined`.
std::string to_output(const Value& v);
// String(v.value), what `~`, `+` and join use: floats lose their ".0", dicts are "[object Map]".
std::string js_string(const Value& v);

struct JsonOptions {
  std::optional<int> indent;
  bool ensure_ascii = false;
  bool sort_keys = false;
  std::optional<std::pair<std::string, std::string>> separators;
};
// The oracle's toJSON (tojson filter and printing of containers).
std::string to_json(const Value& v, const JsonOptions& options, bool undefined_as_null = true, int depth = 0);

// `left.value == right.value` (JavaScript loose equality) and `===` (used by `in` and unique).
bool loose_equals(const Value& a, const Value& b);
bool strict_equals(const Value& a, const Value& b);

// -1/0/1 like the oracle's compareRuntimeValues (sort, dictsort); throws on mixed types.
int compare_values(const Value& a, const Value& b, bool case_sensitive);

// JSON input as JavaScript sees it after JSON.parse: integral numbers are integers, object keys
// that are array indices come first in ascending order, the rest keep their order.
Value from_json(const nlohmann::ordered_json& j);
Value from_json(const nlohmann::json& j);

}  // namespace ragrt::jinja
