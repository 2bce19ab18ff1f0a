#pragma once
// Filters, tests, the methods and properties of strings, lists and dicts, and the global
// functions, each as @huggingface/jinja defines it. That library is the oracle: a filter or test
// it lacks (count, d, e, escape, round, select, reject, batch, center, the `float` test, ...) is
// an error here too, and where it departs from Python Jinja (strip ignores its argument, `default`
// only works with parentheses, `first` and `trim` only without) so does this.
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "template/jinja_value.h"

namespace ragrt::jinja {

// How a filter was written: `x | name` (no parentheses) or `x | name(args...)`.
struct FilterCall {
  std::string name;
  bool parenthesized = false;
  std::vector<Value> args;
  Dict kwargs;
  bool string_literal_args = true;  // selectattr/rejectattr accept nothing but string literals
};

Value apply_filter(const Value& operand, const FilterCall& call);

// `operand is name`; selectattr passes the compared value as a second argument.
bool apply_test(const std::string& name, const Value& operand, const Value& argument = Value());

// `object.name` when `object` has no such entry: string methods and `length`, list `length`,
// dict get/items/keys/values/dictsort. Undefined when there is none.
Value builtin_member(const Value& object, const std::string& name);

// namespace(...): every scope has its own binding of it, as in the oracle.
const Value& namespace_function();

// The global variables in declaration order: false, true, none, raise_exception, range,
// strftime_now, True, False, None. strftime_now formats `fixed_now` when given, else local time.
std::vector<std::pair<std::string, Value>> global_values(std::optional<std::tm> fixed_now);

}  // namespace ragrt::jinja
