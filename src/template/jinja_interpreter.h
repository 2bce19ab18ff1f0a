#pragma once
// Evaluates a parsed template the way @huggingface/jinja's Interpreter does: scopes chain up to
// the globals, `for` bodies and macro calls get their own scope, macros resolve free variables in
// the scope they are called from, and a block's output is the concatenation of what each of its
// statements evaluates to (none and undefined print nothing).
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "template/jinja_parser.h"
#include "template/jinja_value.h"

namespace ragrt::jinja {

class Environment {
 public:
  explicit Environment(EnvPtr parent = nullptr) : parent_(std::move(parent)) {}

  // Declaring a name twice in one scope is an error (the globals cannot be shadowed by inputs).
  void declare(const std::string& name, Value value);
  void set(const std::string& name, Value value) { vars_[name] = std::move(value); }
  Value lookup(const std::string& name) const;

 private:
  EnvPtr parent_;
  std::unordered_map<std::string, Value> vars_;
};

class Interpreter {
 public:
  // `line_of` maps a source offset to its 1-based line, for runtime errors.
  explicit Interpreter(std::function<int(size_t)> line_of) : line_of_(std::move(line_of)) {}

  // Throws RenderError with `line` set.
  std::string render(const Program& program, const EnvPtr& globals);

 private:
  Value eval(const Node& node, const EnvPtr& env);
  Value eval_node(const Node& node, const EnvPtr& env);
  std::string eval_block(const NodeList& nodes, const EnvPtr& env);

  std::pair<std::vector<Value>, Dict> eval_arguments(const NodeList& args, const EnvPtr& env);
  Value eval_call(const Node& node, const EnvPtr& env);
  Value eval_member(const Node& node, const EnvPtr& env);
  Value eval_slice(const Value& object, const Node& slice, const EnvPtr& env);
  Value eval_unary(const Node& node, const EnvPtr& env);
  Value eval_binary(const Node& node, const EnvPtr& env);
  Value eval_filter(const Value& operand, const Node& filter, const EnvPtr& env);
  Value eval_set(const Node& node, const EnvPtr& env);
  Value eval_for(const Node& node, const EnvPtr& env);
  Value eval_macro(const Node& node, const EnvPtr& env);
  Value eval_call_block(const Node& node, const EnvPtr& env);
  void bind_arguments(const std::string& display_name, const NodeList& parameters, bool kwargs, bool varargs,
                      std::vector<Value> args, const EnvPtr& scope);

  std::function<int(size_t)> line_of_;
  int call_depth_ = 0;
};

}  // namespace ragrt::jinja
