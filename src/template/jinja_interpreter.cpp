#include "template/jinja_interpreter.h"

#include <algorithm>
#include <cmath>

#include "template/jinja_filters.h"
#include "template/jinja_js.h"

namespace ragrt::jinja {
namespace {

using Kind = Node::Kind;
using T = Value::Type;

// {% break %} and {% continue %} unwind to the enclosing loop; a partly rendered iteration is
// dropped with them, as in the oracle.
struct BreakSignal {};
struct ContinueSignal {};

// Deep enough for real templates, shallow enough to fail before the native stack does.
constexpr int kMaxCallDepth = 100;

[[noreturn]] void fail(const std::string& message) { throw RenderError(message); }

const char* node_type_name(Kind k) {
  switch (k) {
    case Kind::kIdentifier: return "Identifier";
    case Kind::kMember: return "MemberExpression";
    case Kind::kCall: return "CallExpression";
    case Kind::kString: return "StringLiteral";
    case Kind::kInt: return "IntegerLiteral";
    case Kind::kTuple: return "TupleLiteral";
    default: return "Expression";
  }
}

// Whether a macro or call block body mentions `kwargs` / `varargs`: then surplus arguments are
// collected there instead of refused.
void find_special_arguments(const Node& node, bool* kwargs, bool* varargs) {
  if (node.kind == Kind::kIdentifier) {
    *kwargs |= node.text == "kwargs";
    *varargs |= node.text == "varargs";
  }
  for (const NodePtr* child : {&node.a, &node.b, &node.c}) {
    if (*child) find_special_arguments(**child, kwargs, varargs);
  }
  for (const NodeList* list : {&node.items, &node.body, &node.alternate}) {
    for (const auto& child : *list) find_special_arguments(*child, kwargs, varargs);
  }
}

void special_arguments(const NodeList& parameters, const NodeList& body, bool* kwargs, bool* varargs) {
  *kwargs = *varargs = false;
  for (const auto& node : body) find_special_arguments(*node, kwargs, varargs);
  for (const auto& p : parameters) {
    if (p->text == "kwargs") *kwargs = false;
    if (p->text == "varargs") *varargs = false;
  }
}

Value kwargs_value(Dict kwargs) {
  auto d = std::make_shared<Dict>(std::move(kwargs));
  d->keyword_arguments = true;
  return Value::dict(std::move(d));
}

bool numeric_like(const Value& v) { return v.is_number() || v.is(T::kBool); }
double numeric(const Value& v) { return v.is(T::kBool) ? (v.as_bool() ? 1 : 0) : v.as_number(); }

// utils.slice: Python slicing as the oracle implements it (a negative-step stop of -1 means
// "before the first element", not "the last element").
std::vector<size_t> slice_indices(size_t size, const Value& start_v, const Value& stop_v, const Value& step_v) {
  auto len = static_cast<double>(size);
  double step = step_v.is_undefined() ? 1 : step_v.as_number();
  double direction = step > 0 ? 1 : step < 0 ? -1 : 0;
  double start, stop;
  if (direction >= 0) {
    start = start_v.is_undefined() ? 0 : start_v.as_number();
    start = start < 0 ? std::max(len + start, 0.0) : std::min(start, len);
    stop = stop_v.is_undefined() ? len : stop_v.as_number();
    stop = stop < 0 ? std::max(len + stop, 0.0) : std::min(stop, len);
  } else {
    start = start_v.is_undefined() ? len - 1 : start_v.as_number();
    start = start < 0 ? std::max(len + start, -1.0) : std::min(start, len - 1);
    stop = stop_v.is_undefined() ? -1 : stop_v.as_number();
    stop = stop < -1 ? std::max(len + stop, -1.0) : std::min(stop, len - 1);
  }
  std::vector<size_t> out;
  for (double i = start; direction * i < direction * stop; i += step) out.push_back(static_cast<size_t>(i));
  return out;
}

}  // namespace

void Environment::declare(const std::string& name, Value value) {
  if (vars_.count(name) || name == "namespace") fail("Variable already declared: " + name);
  vars_[name] = std::move(value);
}

Value Environment::lookup(const std::string& name) const {
  // Every scope starts with its own `namespace`, so the search never passes it to a parent.
  if (name == "namespace") {
    auto it = vars_.find(name);
    return it != vars_.end() ? it->second : namespace_function();
  }
  for (const Environment* env = this; env; env = env->parent_.get()) {
    auto it = env->vars_.find(name);
    if (it != env->vars_.end()) return it->second;
  }
  return Value();
}

std::string Interpreter::render(const Program& program, const EnvPtr& globals) {
  try {
    return eval_block(program.body, globals);
  } catch (const BreakSignal&) {
    fail("{% break %} outside a loop");
  } catch (const ContinueSignal&) {
    fail("{% continue %} outside a loop");
  }
}

Value Interpreter::eval(const Node& node, const EnvPtr& env) {
  try {
    return eval_node(node, env);
  } catch (RenderError& e) {
    if (e.line == 0) e.line = line_of_(node.offset);
    throw;
  }
}

std::string Interpreter::eval_block(const NodeList& nodes, const EnvPtr& env) {
  std::string out;
  for (const auto& node : nodes) {
    Value v = eval(*node, env);
    if (!v.is_null() && !v.is_undefined()) out += to_output(v);
  }
  return out;
}

Value Interpreter::eval_node(const Node& node, const EnvPtr& env) {
  switch (node.kind) {
    case Kind::kText:
    case Kind::kString: return Value::string(node.text);
    case Kind::kComment: return Value::null();
    case Kind::kInt: return Value::integer(node.number);
    case Kind::kFloat: return Value::floating(node.number);
    case Kind::kIdentifier: return env->lookup(node.text);
    case Kind::kArray:
    case Kind::kTuple: {
      std::vector<Value> items;
      for (const auto& item : node.items) items.push_back(eval(*item, env));
      return Value::list(std::move(items), node.kind == Kind::kTuple);
    }
    case Kind::kDict: {
      auto d = std::make_shared<Dict>();
      for (size_t i = 0; i + 1 < node.items.size(); i += 2) {
        Value key = eval(*node.items[i], env);
        if (!key.is_string()) fail("Object keys must be strings: got " + type_name(key));
        d->set(key.as_string(), eval(*node.items[i + 1], env));
      }
      return Value::dict(std::move(d));
    }
    case Kind::kCall: return eval_call(node, env);
    case Kind::kMember: return eval_member(node, env);
    case Kind::kUnary: return eval_unary(node, env);
    case Kind::kBinary: return eval_binary(node, env);
    case Kind::kFilter: return eval_filter(eval(*node.a, env), *node.b, env);
    case Kind::kTest: {
      bool result = apply_test(node.text, eval(*node.a, env));
      return Value::boolean(node.flag ? !result : result);
    }
    case Kind::kSelect: return truthy(eval(*node.b, env)) ? eval(*node.a, env) : Value();
    case Kind::kTernary: return truthy(eval(*node.b, env)) ? eval(*node.a, env) : eval(*node.c, env);
    case Kind::kSet: return eval_set(node, env);
    case Kind::kIf: return Value::string(eval_block(truthy(eval(*node.a, env)) ? node.body : node.alternate, env));
    case Kind::kFor: return eval_for(node, env);
    case Kind::kMacro: return eval_macro(node, env);
    case Kind::kCallBlock: return eval_call_block(node, env);
    case Kind::kFilterBlock: return eval_filter(Value::string(eval_block(node.body, env)), *node.a, env);
    case Kind::kBreak: throw BreakSignal{};
    case Kind::kContinue: throw ContinueSignal{};
    default: fail(std::string("Unknown node type: ") + node_type_name(node.kind));
  }
}

std::pair<std::vector<Value>, Dict> Interpreter::eval_arguments(const NodeList& args, const EnvPtr& env) {
  std::vector<Value> positional;
  Dict keywords;
  auto add_keyword = [&](const std::string& key, Value value) {
    if (keywords.find(key)) fail("Got multiple values for keyword argument '" + key + "'");
    keywords.entries.emplace_back(key, std::move(value));
  };
  // Like Python, every positional argument is evaluated before any keyword argument.
  for (const auto& arg : args) {
    if (arg->kind == Kind::kSpread) {
      Value v = eval(*arg->a, env);
      if (!v.is_list()) fail("Cannot unpack non-iterable type: " + type_name(v));
      for (const auto& item : v.as_list().items) positional.push_back(item);
    } else if (arg->kind != Kind::kKeywordArg && arg->kind != Kind::kKwSpread) {
      positional.push_back(eval(*arg, env));
    }
  }
  for (const auto& arg : args) {
    if (arg->kind == Kind::kKeywordArg) {
      add_keyword(arg->text, eval(*arg->a, env));
    } else if (arg->kind == Kind::kKwSpread) {
      Value v = eval(*arg->a, env);
      if (!v.is_dict()) fail("Argument after ** must be a mapping, not " + type_name(v));
      for (const auto& [k, item] : v.as_dict().entries) add_keyword(k, item);
    }
  }
  return {std::move(positional), std::move(keywords)};
}

Value Interpreter::eval_call(const Node& node, const EnvPtr& env) {
  auto [args, kwargs] = eval_arguments(node.items, env);
  if (!kwargs.entries.empty()) args.push_back(kwargs_value(std::move(kwargs)));
  Value fn = eval(*node.a, env);
  if (!fn.is(T::kFunction)) fail("Cannot call something that is not a function: got " + type_name(fn));
  struct DepthGuard {
    int& depth;
    ~DepthGuard() { --depth; }
  } guard{++call_depth_};
  if (call_depth_ > kMaxCallDepth) fail("Maximum call stack size exceeded");
  return fn.as_function()(args, env);
}

Value Interpreter::eval_member(const Node& node, const EnvPtr& env) {
  Value object = eval(*node.a, env);
  const Node& prop = *node.b;
  Value property;
  if (node.flag) {
    if (prop.kind == Kind::kSlice) return eval_slice(object, prop, env);
    property = eval(prop, env);
  } else if (prop.kind == Kind::kInt) {
    property = Value::integer(prop.number);
  } else {
    property = Value::string(prop.text);
  }

  if (object.is_attribute_container()) {
    if (!property.is_string()) fail("Cannot access property with non-string: got " + type_name(property));
    if (const Value* v = object.as_dict().find(property.as_string())) return *v;
    return object.is_dict() ? builtin_member(object, property.as_string()) : Value();
  }
  if (object.is_list() || object.is_string()) {
    if (property.is(T::kInt)) {
      if (object.is_string()) {
        auto unit = js::utf16_at(object.as_string(), property.as_number());
        return unit ? Value::string(*unit) : Value();
      }
      const auto& items = object.as_list().items;
      double i = std::trunc(property.as_number());
      if (i < 0) i += static_cast<double>(items.size());
      return i >= 0 && i < static_cast<double>(items.size()) ? items[static_cast<size_t>(i)] : Value();
    }
    if (property.is_string()) return builtin_member(object, property.as_string());
    fail("Cannot access property with non-string/non-number: got " + type_name(property));
  }
  if (!property.is_string()) fail("Cannot access property with non-string: got " + type_name(property));
  return Value();
}

Value Interpreter::eval_slice(const Value& object, const Node& slice, const EnvPtr& env) {
  if (!object.is_list() && !object.is_string()) fail("Slice object must be an array or string");
  Value start = slice.a ? eval(*slice.a, env) : Value();
  Value stop = slice.b ? eval(*slice.b, env) : Value();
  Value step = slice.c ? eval(*slice.c, env) : Value();
  if (!start.is(T::kInt) && !start.is_undefined()) fail("Slice start must be numeric or undefined");
  if (!stop.is(T::kInt) && !stop.is_undefined()) fail("Slice stop must be numeric or undefined");
  if (!step.is(T::kInt) && !step.is_undefined()) fail("Slice step must be numeric or undefined");
  if (object.is_list()) {
    const auto& items = object.as_list().items;
    std::vector<Value> out;
    for (size_t i : slice_indices(items.size(), start, stop, step)) out.push_back(items[i]);
    return Value::list(std::move(out));
  }
  auto chars = js::code_points(object.as_string());  // strings slice by code point
  std::string out;
  for (size_t i : slice_indices(chars.size(), start, stop, step)) out += chars[i];
  return Value::string(out);
}

Value Interpreter::eval_unary(const Node& node, const EnvPtr& env) {
  Value v = eval(*node.a, env);
  if (node.text == "not") return Value::boolean(!truthy(v));
  if (!numeric_like(v)) fail("Unknown operator \"" + node.text + "\" for " + type_name(v));
  double result = (node.text == "-" ? -1 : 1) * numeric(v);
  return v.is(T::kFloat) ? Value::floating(result) : Value::integer(result);
}

Value Interpreter::eval_binary(const Node& node, const EnvPtr& env) {
  const std::string& op = node.text;
  Value left = eval(*node.a, env);
  if (op == "and") return truthy(left) ? eval(*node.b, env) : left;
  if (op == "or") return truthy(left) ? left : eval(*node.b, env);
  Value right = eval(*node.b, env);
  if (op == "==") return Value::boolean(loose_equals(left, right));
  if (op == "!=") return Value::boolean(!loose_equals(left, right));

  if (left.is_undefined() || right.is_undefined()) {
    if (right.is_undefined() && (op == "in" || op == "not in")) return Value::boolean(op == "not in");
    fail("Cannot perform operation " + op + " on undefined values");
  }
  if (left.is_null() || right.is_null()) fail("Cannot perform operation on null values");
  if (op == "~") return Value::string(js_string(left) + js_string(right));
  if (op == "**" && numeric_like(left) && numeric_like(right)) {
    double a = numeric(left), b = numeric(right);
    if (a == 0 && b < 0) fail("0.0 cannot be raised to a negative power");
    double result = std::pow(a, b);
    if (!std::isfinite(result)) fail("Exponentiation result is not a finite real number");
    bool is_float = left.is(T::kFloat) || right.is(T::kFloat) || b < 0;
    return is_float ? Value::floating(result) : Value::integer(result);
  }
  if (left.is_number() && right.is_number()) {
    double a = left.as_number(), b = right.as_number();
    bool is_float = left.is(T::kFloat) || right.is(T::kFloat);
    auto number = [is_float](double v) { return is_float ? Value::floating(v) : Value::integer(v); };
    if (op == "+") return number(a + b);
    if (op == "-") return number(a - b);
    if (op == "*") return number(a * b);
    if (op == "/") return Value::floating(a / b);
    if (op == "//") return number(std::floor(a / b));
    if (op == "%") return number(std::fmod(a, b));  // JavaScript %: the sign follows the dividend
    if (op == "<") return Value::boolean(a < b);
    if (op == ">") return Value::boolean(a > b);
    if (op == ">=") return Value::boolean(a >= b);
    if (op == "<=") return Value::boolean(a <= b);
  } else if (left.is_list() && right.is_list()) {
    if (op == "+") {
      std::vector<Value> items = left.as_list().items;
      items.insert(items.end(), right.as_list().items.begin(), right.as_list().items.end());
      return Value::list(std::move(items));
    }
  } else if (right.is_list()) {
    const auto& items = right.as_list().items;
    bool member = std::any_of(items.begin(), items.end(), [&](const Value& x) { return strict_equals(x, left); });
    if (op == "in") return Value::boolean(member);
    if (op == "not in") return Value::boolean(!member);
  }
  if ((left.is_string() || right.is_string()) && op == "+") return Value::string(js_string(left) + js_string(right));
  if (left.is_string() && right.is_string()) {
    bool found = right.as_string().find(left.as_string()) != std::string::npos;
    if (op == "in") return Value::boolean(found);
    if (op == "not in") return Value::boolean(!found);
  }
  if (left.is_string() && right.is_dict()) {
    bool found = right.as_dict().find(left.as_string()) != nullptr;
    if (op == "in") return Value::boolean(found);
    if (op == "not in") return Value::boolean(!found);
  }
  fail("Unknown operator \"" + op + "\" between " + type_name(left) + " and " + type_name(right));
}

Value Interpreter::eval_filter(const Value& operand, const Node& filter, const EnvPtr& env) {
  FilterCall call;
  if (filter.kind == Kind::kIdentifier) {
    call.name = filter.text;
  } else if (filter.kind == Kind::kCall) {
    if (filter.a->kind != Kind::kIdentifier) fail(std::string("Unknown filter: ") + node_type_name(filter.a->kind));
    call.name = filter.a->text;
    call.parenthesized = true;
    for (const auto& arg : filter.items) call.string_literal_args &= arg->kind == Kind::kString;
    std::tie(call.args, call.kwargs) = eval_arguments(filter.items, env);
  } else {
    fail(std::string("Unknown filter: ") + node_type_name(filter.kind));
  }
  return apply_filter(operand, call);
}

Value Interpreter::eval_set(const Node& node, const EnvPtr& env) {
  Value rhs = node.b ? eval(*node.b, env) : Value::string(eval_block(node.body, env));
  const Node& target = *node.a;
  if (target.kind == Kind::kIdentifier) {
    env->set(target.text, std::move(rhs));
  } else if (target.kind == Kind::kTuple) {
    if (!rhs.is_list()) fail("Cannot unpack non-iterable type in set: " + type_name(rhs));
    const auto& items = rhs.as_list().items;
    if (items.size() != target.items.size()) {
      fail(std::string("Too ") + (target.items.size() > items.size() ? "few" : "many") + " items to unpack in set");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (target.items[i]->kind != Kind::kIdentifier) {
        fail(std::string("Cannot unpack to non-identifier in set: ") + node_type_name(target.items[i]->kind));
      }
      env->set(target.items[i]->text, items[i]);
    }
  } else if (target.kind == Kind::kMember) {
    Value object = eval(*target.a, env);
    if (!object.is(T::kNamespace)) fail("cannot assign attribute on non-namespace object");
    if (target.b->kind != Kind::kIdentifier) fail("Cannot assign to member with non-identifier property");
    object.as_dict().set(target.b->text, std::move(rhs));
  } else {
    fail("Invalid LHS inside assignment expression");
  }
  return Value::null();
}

Value Interpreter::eval_for(const Node& node, const EnvPtr& env) {
  auto scope = std::make_shared<Environment>(env);
  const Node* test = nullptr;
  Value iterable;
  if (node.b->kind == Kind::kSelect) {
    iterable = eval(*node.b->a, scope);
    test = node.b->b.get();
  } else {
    iterable = eval(*node.b, scope);
  }
  if (!iterable.is_list() && !iterable.is_dict()) {
    fail("Expected iterable or object type in for loop: got " + type_name(iterable));
  }
  std::vector<Value> source;
  if (iterable.is_dict()) {
    for (const auto& e : iterable.as_dict().entries) source.push_back(Value::string(e.first));
  } else {
    source = iterable.as_list().items;
  }

  const Node& target = *node.a;
  auto assign = [&target](const Value& current, Environment& into) {
    if (target.kind == Kind::kIdentifier) {
      into.set(target.text, current);
      return;
    }
    for (size_t j = 0; j < target.items.size(); ++j) {
      if (target.items[j]->kind != Kind::kIdentifier) {
        fail(std::string("Cannot unpack non-identifier type: ") + node_type_name(target.items[j]->kind));
      }
      into.set(target.items[j]->text, current.as_list().items[j]);
    }
  };

  std::vector<Value> items;
  for (const auto& current : source) {
    if (target.kind == Kind::kTuple) {
      if (type_name(current) != "ArrayValue") fail("Cannot unpack non-iterable type: " + type_name(current));
      size_t have = current.as_list().items.size(), want = target.items.size();
      if (have != want) fail(std::string("Too ") + (want > have ? "few" : "many") + " items to unpack");
    }
    if (test) {
      auto loop_scope = std::make_shared<Environment>(scope);
      assign(current, *loop_scope);
      if (!truthy(eval(*test, loop_scope))) continue;
    }
    items.push_back(current);
  }

  std::string out;
  bool no_iteration = true;
  auto n = static_cast<double>(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto d = static_cast<double>(i);
    scope->set("loop", Value::dict({{"index", Value::integer(d + 1)},
                                    {"index0", Value::integer(d)},
                                    {"revindex", Value::integer(n - d)},
                                    {"revindex0", Value::integer(n - d - 1)},
                                    {"first", Value::boolean(i == 0)},
                                    {"last", Value::boolean(i + 1 == items.size())},
                                    {"length", Value::integer(n)},
                                    {"previtem", i > 0 ? items[i - 1] : Value()},
                                    {"nextitem", i + 1 < items.size() ? items[i + 1] : Value()}}));
    assign(items[i], *scope);
    try {
      out += eval_block(node.body, scope);
    } catch (const ContinueSignal&) {
      continue;  // skips the no_iteration update, as the oracle does
    } catch (const BreakSignal&) {
      break;
    }
    no_iteration = false;
  }
  if (no_iteration) out += eval_block(node.alternate, scope);
  return Value::string(out);
}

void Interpreter::bind_arguments(const std::string& display_name, const NodeList& parameters, bool kwargs,
                                 bool varargs, std::vector<Value> args, const EnvPtr& scope) {
  Dict keywords;
  if (!args.empty() && args.back().is_kwargs()) {
    keywords = args.back().as_dict();
    keywords.keyword_arguments = false;
    args.pop_back();
  }
  std::vector<const Node*> pending_defaults;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const Node& p = *parameters[i];
    Value value;
    bool given = i < args.size();
    auto kw = std::find_if(keywords.entries.begin(), keywords.entries.end(),
                           [&p](const auto& e) { return e.first == p.text; });
    if (given) {
      value = args[i];
    } else if (kw != keywords.entries.end()) {
      value = kw->second;
      given = true;
      keywords.entries.erase(kw);
    }
    if (!given && p.kind == Kind::kKeywordArg) pending_defaults.push_back(&p);
    scope->set(p.text, value);
  }
  if (kwargs) {
    scope->set("kwargs", Value::dict(std::make_shared<Dict>(keywords)));
  } else if (!keywords.entries.empty()) {
    fail("macro " + display_name + " takes no keyword argument '" + keywords.entries.front().first + "'");
  }
  if (varargs) {
    std::vector<Value> rest;
    for (size_t i = parameters.size(); i < args.size(); ++i) rest.push_back(args[i]);
    scope->set("varargs", Value::list(std::move(rest)));
  } else if (args.size() > parameters.size()) {
    fail("macro " + display_name + " takes not more than " + std::to_string(parameters.size()) + " argument(s)");
  }
  for (const Node* p : pending_defaults) scope->set(p->text, eval(*p->a, scope));
}

Value Interpreter::eval_macro(const Node& node, const EnvPtr& env) {
  bool kwargs = false, varargs = false;
  special_arguments(node.items, node.body, &kwargs, &varargs);
  const Node* macro = &node;
  env->set(node.text, Value::function([this, macro, kwargs, varargs](std::vector<Value>& args, const EnvPtr& scope) {
    auto macro_scope = std::make_shared<Environment>(scope);
    bind_arguments("'" + macro->text + "'", macro->items, kwargs, varargs, args, macro_scope);
    return Value::string(eval_block(macro->body, macro_scope));
  }));
  return Value::null();
}

Value Interpreter::eval_call_block(const Node& node, const EnvPtr& env) {
  bool kwargs = false, varargs = false;
  special_arguments(node.items, node.body, &kwargs, &varargs);
  const Node* block = &node;
  Value caller = Value::function([this, block, env, kwargs, varargs](std::vector<Value>& args, const EnvPtr&) {
    auto call_env = std::make_shared<Environment>(env);
    bind_arguments("None", block->items, kwargs, varargs, args, call_env);
    return Value::string(eval_block(block->body, call_env));
  });
  const Node& call = *node.a;
  auto [args, keywords] = eval_arguments(call.items, env);
  args.push_back(kwargs_value(std::move(keywords)));
  Value fn = eval(*call.a, env);
  if (!fn.is(T::kFunction)) fail("Cannot call something that is not a function: got " + type_name(fn));
  auto call_scope = std::make_shared<Environment>(env);
  call_scope->set("caller", caller);
  return fn.as_function()(args, call_scope);
}

}  // namespace ragrt::jinja
