#include "template/jinja_parser.h"

#include <cstdlib>
#include <initializer_list>
#include <set>
#include <string_view>

namespace ragrt::jinja {
namespace {

using Kind = Node::Kind;
using TT = TokenType;

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, size_t source_size) : t_(tokens), end_(source_size) {}

  Program run() {
    Program program;
    while (cur_ < t_.size()) program.body.push_back(parse_any());
    return program;
  }

 private:
  size_t here() const { return cur_ < t_.size() ? t_[cur_].offset : end_; }
  [[noreturn]] void fail(const std::string& message) const { throw SyntaxError(message, here()); }

  const Token& peek() const {
    if (cur_ >= t_.size()) fail("Unexpected end of template");
    return t_[cur_];
  }
  const Token& next() {
    const Token& tok = peek();
    ++cur_;
    return tok;
  }
  bool is(TT type, size_t ahead = 0) const { return cur_ + ahead < t_.size() && t_[cur_ + ahead].type == type; }
  bool is_identifier(std::string_view name, size_t ahead = 0) const {
    return is(TT::kIdentifier, ahead) && t_[cur_ + ahead].value == name;
  }
  bool is_statement(std::initializer_list<std::string_view> names) const {
    if (!is(TT::kOpenStatement) || !is(TT::kIdentifier, 1)) return false;
    for (auto name : names) {
      if (t_[cur_ + 1].value == name) return true;
    }
    return false;
  }
  const Token& expect(TT type, std::string_view what) {
    if (cur_ >= t_.size()) fail("Parser Error: " + std::string(what) + ". Unexpected end of template.");
    const Token& tok = t_[cur_];
    if (tok.type != type) {
      fail("Parser Error: " + std::string(what) + ". " + token_type_name(tok.type) + " !== " + token_type_name(type) + ".");
    }
    ++cur_;
    return tok;
  }
  void expect_identifier(std::string_view name) {
    if (!is_identifier(name)) fail("Expected " + std::string(name));
    ++cur_;
  }
  // {% end... %} closing a block statement.
  void expect_end(std::string_view name) {
    expect(TT::kOpenStatement, "Expected {% token");
    expect_identifier(name);
    expect(TT::kCloseStatement, "Expected %} token");
  }

  NodePtr make(Kind kind, size_t offset) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }

  // Statements up to (not including) one of the named block tags; the last name is the one that
  // must eventually come (endif, endfor, ...).
  NodeList parse_until(std::initializer_list<std::string_view> names) {
    NodeList body;
    while (!is_statement(names)) {
      if (cur_ >= t_.size()) fail("Unexpected end of template: missing {% " + std::string(*(names.end() - 1)) + " %}");
      body.push_back(parse_any());
    }
    return body;
  }

  NodePtr parse_any() {
    const Token& tok = peek();
    switch (tok.type) {
      case TT::kComment: {
        auto n = make(Kind::kComment, tok.offset);
        n->text = next().value;
        return n;
      }
      case TT::kText: {
        auto n = make(Kind::kText, tok.offset);
        n->text = next().value;
        return n;
      }
      case TT::kOpenStatement:
        return parse_statement();
      case TT::kOpenExpression: {
        ++cur_;
        auto expr = parse_expression();
        expect(TT::kCloseExpression, "Expected closing expression token");
        return expr;
      }
      default:
        fail(std::string("Unexpected token type: ") + token_type_name(tok.type));
    }
  }

  NodePtr parse_statement() {
    expect(TT::kOpenStatement, "Expected opening statement token");
    const Token& tok = peek();
    if (tok.type != TT::kIdentifier) fail(std::string("Unknown statement, got ") + token_type_name(tok.type));
    size_t offset = tok.offset;
    const std::string name = tok.value;
    ++cur_;
    NodePtr result;
    if (name == "set") {
      result = parse_set(offset);
    } else if (name == "if") {
      result = parse_if(offset);
      expect_end("endif");
    } else if (name == "macro") {
      result = parse_macro(offset);
      expect_end("endmacro");
    } else if (name == "for") {
      result = parse_for(offset);
      expect_end("endfor");
    } else if (name == "call") {
      result = make(Kind::kCallBlock, offset);
      if (is(TT::kOpenParen)) {
        result->flag = true;
        result->items = parse_args(true);
      }
      auto callee = parse_primary();
      if (callee->kind != Kind::kIdentifier) fail("Expected identifier following call statement");
      auto call = make(Kind::kCall, callee->offset);
      call->items = parse_args(false);
      call->a = std::move(callee);
      result->a = std::move(call);
      expect(TT::kCloseStatement, "Expected closing statement token");
      result->body = parse_until({"endcall"});
      expect_end("endcall");
    } else if (name == "break" || name == "continue") {
      expect(TT::kCloseStatement, "Expected closing statement token");
      result = make(name == "break" ? Kind::kBreak : Kind::kContinue, offset);
    } else if (name == "filter") {
      result = make(Kind::kFilterBlock, offset);
      auto filter = parse_primary();
      if (filter->kind == Kind::kIdentifier && is(TT::kOpenParen)) filter = parse_call(std::move(filter));
      result->a = std::move(filter);
      expect(TT::kCloseStatement, "Expected closing statement token");
      result->body = parse_until({"endfilter"});
      expect_end("endfilter");
    } else {
      cur_ -= 1;
      fail("Unknown statement type: " + name);
    }
    return result;
  }

  NodePtr parse_set(size_t offset) {
    auto n = make(Kind::kSet, offset);
    n->a = parse_sequence(false);
    if (is(TT::kEquals)) {
      ++cur_;
      n->b = parse_sequence(false);
    } else {
      expect(TT::kCloseStatement, "Expected %} token");
      n->body = parse_until({"endset"});
      expect(TT::kOpenStatement, "Expected {% token");
      expect_identifier("endset");
    }
    expect(TT::kCloseStatement, "Expected closing statement token");
    return n;
  }

  NodePtr parse_if(size_t offset) {
    auto n = make(Kind::kIf, offset);
    n->a = parse_expression();
    expect(TT::kCloseStatement, "Expected closing statement token");
    n->body = parse_until({"elif", "else", "endif"});
    if (is_statement({"elif"})) {
      size_t elif_offset = t_[cur_ + 1].offset;
      cur_ += 2;
      n->alternate.push_back(parse_if(elif_offset));
    } else if (is_statement({"else"})) {
      cur_ += 2;
      expect(TT::kCloseStatement, "Expected closing statement token");
      n->alternate = parse_until({"endif"});
    }
    return n;
  }

  NodePtr parse_macro(size_t offset) {
    auto n = make(Kind::kMacro, offset);
    auto name = parse_primary();
    if (name->kind != Kind::kIdentifier) fail("Expected identifier following macro statement");
    n->text = name->text;
    n->items = parse_args(true);
    expect(TT::kCloseStatement, "Expected closing statement token");
    n->body = parse_until({"endmacro"});
    return n;
  }

  NodePtr parse_for(size_t offset) {
    auto n = make(Kind::kFor, offset);
    n->a = parse_sequence(true);
    if (n->a->kind != Kind::kIdentifier && n->a->kind != Kind::kTuple) {
      fail("Expected identifier/tuple for the loop variable");
    }
    if (!is_identifier("in")) fail("Expected `in` keyword following loop variable");
    ++cur_;
    n->b = parse_expression();
    expect(TT::kCloseStatement, "Expected closing statement token");
    n->body = parse_until({"else", "endfor"});
    if (is_statement({"else"})) {
      cur_ += 2;
      expect(TT::kCloseStatement, "Expected closing statement token");
      n->alternate = parse_until({"endfor"});
    }
    return n;
  }

  // `a, b, c` as a tuple (set targets and values, loop variables, parentheses).
  NodePtr parse_sequence(bool primary) {
    size_t offset = here();
    auto first = primary ? parse_primary() : parse_expression();
    if (!is(TT::kComma)) return first;
    auto tuple = make(Kind::kTuple, offset);
    tuple->items.push_back(std::move(first));
    while (is(TT::kComma)) {
      ++cur_;
      tuple->items.push_back(primary ? parse_primary() : parse_expression());
    }
    return tuple;
  }

  NodePtr parse_expression() {
    size_t offset = here();
    auto a = parse_or();
    if (!is_identifier("if")) return a;
    ++cur_;
    auto test = parse_or();
    if (is_identifier("else")) {
      ++cur_;
      auto n = make(Kind::kTernary, offset);
      n->a = std::move(a);
      n->b = std::move(test);
      n->c = parse_expression();
      return n;
    }
    auto n = make(Kind::kSelect, offset);
    n->a = std::move(a);
    n->b = std::move(test);
    return n;
  }

  NodePtr binary(std::string op, NodePtr left, NodePtr right, size_t offset) {
    auto n = make(Kind::kBinary, offset);
    n->text = std::move(op);
    n->a = std::move(left);
    n->b = std::move(right);
    return n;
  }

  NodePtr parse_or() {
    size_t offset = here();
    auto left = parse_and();
    while (is_identifier("or")) {
      ++cur_;
      left = binary("or", std::move(left), parse_and(), offset);
    }
    return left;
  }

  NodePtr parse_and() {
    size_t offset = here();
    auto left = parse_not();
    while (is_identifier("and")) {
      ++cur_;
      left = binary("and", std::move(left), parse_not(), offset);
    }
    return left;
  }

  NodePtr parse_not() {
    NodePtr result;
    while (is_identifier("not")) {
      auto n = make(Kind::kUnary, here());
      ++cur_;
      n->text = "not";
      n->a = parse_not();
      result = std::move(n);
    }
    return result ? std::move(result) : parse_comparison();
  }

  // Membership shares the comparison level and associates left: `a in b == c` is `(a in b) == c`.
  NodePtr parse_comparison() {
    size_t offset = here();
    auto left = parse_additive();
    while (true) {
      std::string op;
      if (is_identifier("not") && is_identifier("in", 1)) {
        op = "not in";
        cur_ += 2;
      } else if (is_identifier("in") || is(TT::kComparisonBinaryOperator)) {
        op = next().value;
      } else {
        break;
      }
      left = binary(op, std::move(left), parse_additive(), offset);
    }
    return left;
  }

  NodePtr parse_additive() {
    size_t offset = here();
    auto left = parse_multiplicative();
    while (is(TT::kAdditiveBinaryOperator)) {
      std::string op = next().value;
      left = binary(op, std::move(left), parse_multiplicative(), offset);
    }
    return left;
  }

  NodePtr parse_multiplicative() {
    size_t offset = here();
    auto left = parse_power();
    while (is(TT::kMultiplicativeBinaryOperator)) {
      std::string op = next().value;
      left = binary(op, std::move(left), parse_power(), offset);
    }
    return left;
  }

  NodePtr parse_power() {
    size_t offset = here();
    auto left = parse_test();
    while (is(TT::kExponentiationBinaryOperator)) {
      ++cur_;
      left = binary("**", std::move(left), parse_test(), offset);
    }
    return left;
  }

  NodePtr parse_test() {
    size_t offset = here();
    auto operand = parse_filter();
    while (is_identifier("is")) {
      ++cur_;
      bool negate = is_identifier("not");
      if (negate) ++cur_;
      auto test = parse_primary();
      if (test->kind != Kind::kIdentifier) fail("Expected identifier for the test");
      auto n = make(Kind::kTest, offset);
      n->a = std::move(operand);
      n->text = test->text;
      n->flag = negate;
      operand = std::move(n);
    }
    return operand;
  }

  NodePtr parse_filter() {
    size_t offset = here();
    auto operand = parse_unary_sign();
    while (is(TT::kPipe)) {
      ++cur_;
      auto filter = parse_primary();
      if (filter->kind != Kind::kIdentifier) fail("Expected identifier for the filter");
      if (is(TT::kOpenParen)) filter = parse_call(std::move(filter));
      auto n = make(Kind::kFilter, offset);
      n->a = std::move(operand);
      n->b = std::move(filter);
      operand = std::move(n);
    }
    return operand;
  }

  NodePtr parse_unary_sign() {
    if (cur_ < t_.size() && (is(TT::kUnaryOperator) || is(TT::kAdditiveBinaryOperator)) &&
        (t_[cur_].value == "-" || t_[cur_].value == "+")) {
      auto n = make(Kind::kUnary, here());
      n->text = next().value;
      n->a = parse_unary_sign();
      return n;
    }
    auto member = parse_member(parse_primary());
    return is(TT::kOpenParen) ? parse_call(std::move(member)) : std::move(member);
  }

  NodePtr parse_call(NodePtr callee) {
    auto n = make(Kind::kCall, callee->offset);
    n->items = parse_args(false);
    n->a = std::move(callee);
    auto expr = parse_member(std::move(n));
    return is(TT::kOpenParen) ? parse_call(std::move(expr)) : std::move(expr);
  }

  // (a, b=1, *xs, **kw) in calls; (a, b=default) in macro and caller parameter lists.
  NodeList parse_args(bool parameters) {
    expect(TT::kOpenParen, "Expected opening parenthesis for arguments list");
    NodeList args;
    std::set<std::string> names;
    bool saw_keyword = false, saw_spread = false;
    while (!is(TT::kCloseParen)) {
      if (cur_ >= t_.size()) fail("Unexpected end of template: missing )");
      bool keyword_spread = is(TT::kExponentiationBinaryOperator);
      bool spread = is(TT::kMultiplicativeBinaryOperator) && t_[cur_].value == "*";
      if (parameters && (keyword_spread || spread)) fail("Argument unpacking is not allowed in parameter declarations");
      if (keyword_spread) {
        auto n = make(Kind::kKwSpread, here());
        ++cur_;
        n->a = parse_expression();
        args.push_back(std::move(n));
        if (is(TT::kComma)) ++cur_;
        if (!is(TT::kCloseParen)) fail("Expected closing parenthesis: `**` must be applied to the final argument");
        break;
      }
      NodePtr arg;
      if (spread) {
        if (saw_spread) fail("Only one `*` argument unpacking is allowed");
        saw_spread = true;
        arg = make(Kind::kSpread, here());
        ++cur_;
        arg->a = parse_expression();
      } else {
        arg = parse_expression();
        if (is(TT::kEquals)) {
          ++cur_;
          if (arg->kind != Kind::kIdentifier) {
            fail(parameters ? "Expected identifier for parameter declaration" : "Expected identifier for keyword argument");
          }
          auto kw = make(Kind::kKeywordArg, arg->offset);
          kw->text = arg->text;
          kw->a = parse_expression();
          arg = std::move(kw);
        }
        if (parameters) {
          if (arg->kind != Kind::kIdentifier && arg->kind != Kind::kKeywordArg) {
            fail("Expected identifier for parameter declaration");
          }
          if (!names.insert(arg->text).second) fail("Duplicate parameter name: " + arg->text);
        }
        if (arg->kind == Kind::kKeywordArg) {
          saw_keyword = true;
        } else if (saw_keyword) {
          fail(parameters ? "Non-default argument follows default argument"
                          : "Positional arguments must come before keyword arguments");
        } else if (saw_spread) {
          fail("Positional arguments must not follow `*` argument unpacking");
        }
      }
      args.push_back(std::move(arg));
      if (is(TT::kComma)) ++cur_;
    }
    expect(TT::kCloseParen, "Expected closing parenthesis for arguments list");
    return args;
  }

  // Inside [...]: an index, or a slice start:stop:step with any part omitted.
  NodePtr parse_subscript() {
    size_t offset = here();
    std::vector<NodePtr> parts;
    bool slice = false;
    while (!is(TT::kCloseSquareBracket)) {
      if (cur_ >= t_.size()) fail("Unexpected end of template: missing ]");
      if (is(TT::kColon)) {
        parts.push_back(nullptr);
        ++cur_;
        slice = true;
      } else {
        parts.push_back(parse_expression());
        if (is(TT::kColon)) {
          ++cur_;
          slice = true;
        }
      }
    }
    if (parts.empty()) fail("Expected at least one argument for member/slice expression");
    if (!slice) return std::move(parts[0]);
    if (parts.size() > 3) fail("Expected 0-3 arguments for slice expression");
    auto n = make(Kind::kSlice, offset);
    parts.resize(3);
    n->a = std::move(parts[0]);
    n->b = std::move(parts[1]);
    n->c = std::move(parts[2]);
    return n;
  }

  NodePtr parse_member(NodePtr object) {
    while (is(TT::kDot) || is(TT::kOpenSquareBracket)) {
      bool computed = next().type == TT::kOpenSquareBracket;
      auto n = make(Kind::kMember, object->offset);
      n->flag = computed;
      if (computed) {
        n->b = parse_subscript();
        expect(TT::kCloseSquareBracket, "Expected closing square bracket");
      } else {
        n->b = parse_primary();
        if (n->b->kind != Kind::kIdentifier && n->b->kind != Kind::kInt) {
          fail("Expected identifier or integer following dot operator");
        }
      }
      n->a = std::move(object);
      object = std::move(n);
    }
    return object;
  }

  NodePtr parse_primary() {
    const Token& tok = next();
    switch (tok.type) {
      case TT::kNumericLiteral: {
        auto n = make(tok.value.find('.') != std::string::npos ? Kind::kFloat : Kind::kInt, tok.offset);
        n->number = std::strtod(tok.value.c_str(), nullptr);
        return n;
      }
      case TT::kStringLiteral: {
        auto n = make(Kind::kString, tok.offset);
        n->text = tok.value;
        while (is(TT::kStringLiteral)) n->text += next().value;  // "a" "b" concatenates
        return n;
      }
      case TT::kIdentifier: {
        auto n = make(Kind::kIdentifier, tok.offset);
        n->text = tok.value;
        return n;
      }
      case TT::kOpenParen: {
        auto expr = parse_sequence(false);
        expect(TT::kCloseParen, "Expected closing parenthesis");
        return expr;
      }
      case TT::kOpenSquareBracket: {
        auto n = make(Kind::kArray, tok.offset);
        while (!is(TT::kCloseSquareBracket)) {
          if (cur_ >= t_.size()) fail("Unexpected end of template: missing ]");
          n->items.push_back(parse_expression());
          if (is(TT::kComma)) ++cur_;
        }
        ++cur_;
        return n;
      }
      case TT::kOpenCurlyBracket: {
        auto n = make(Kind::kDict, tok.offset);
        while (!is(TT::kCloseCurlyBracket)) {
          if (cur_ >= t_.size()) fail("Unexpected end of template: missing }");
          n->items.push_back(parse_expression());
          expect(TT::kColon, "Expected colon between key and value in object literal");
          n->items.push_back(parse_expression());
          if (is(TT::kComma)) ++cur_;
        }
        ++cur_;
        return n;
      }
      default:
        --cur_;
        fail(std::string("Unexpected token: ") + token_type_name(tok.type));
    }
  }

  const std::vector<Token>& t_;
  size_t end_;
  size_t cur_ = 0;
};

}  // namespace

Program parse(const std::vector<Token>& tokens, size_t source_size) { return Parser(tokens, source_size).run(); }

}  // namespace ragrt::jinja
