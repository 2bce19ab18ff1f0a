#pragma once
// Syntax tree and recursive-descent parser, mirroring @huggingface/jinja's grammar and operator
// precedence (which differs from Python Jinja in places: `is` tests and filters bind tighter than
// `*` and `**`, `**` is left-associative, `x if c` without else yields undefined when c is false).
#include <memory>
#include <string>
#include <vector>

#include "template/jinja_lexer.h"

namespace ragrt::jinja {

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

// One node type keeps the tree compact; the fields each kind uses:
//   kText, kString       text
//   kInt, kFloat         number
//   kIdentifier          text (name)
//   kArray, kTuple       items
//   kDict                items: key, value, key, value, ...
//   kMember              a = object, b = property, flag = computed (`x[...]` rather than `x.name`)
//   kSlice               a, b, c = start, stop, step (each may be null)
//   kCall                a = callee, items = arguments
//   kKeywordArg          text = name, a = value
//   kSpread, kKwSpread   a = the list (`*x`) or dict (`**x`) unpacked into a call
//   kUnary               text = operator ("not", "-", "+"), a = operand
//   kBinary              text = operator, a = left, b = right
//   kFilter              a = operand, b = filter (kIdentifier, or kCall whose a is the name)
//   kTest                a = operand, text = test name, flag = negated (`is not`)
//   kSelect              a = value, b = condition (`a if b` without else)
//   kTernary             a = value if true, b = condition, c = value if false
//   kSet                 a = target, b = value, or body for a block set
//   kIf                  a = condition, body, alternate (an elif is a nested kIf)
//   kFor                 a = target, b = iterable (a kSelect for `for x in y if c`), body, alternate (else)
//   kMacro               text = name, items = parameters (kIdentifier / kKeywordArg), body
//   kCallBlock           a = kCall, items = caller parameters, body
//   kFilterBlock         a = filter (as in kFilter), body
//   kBreak, kContinue, kComment
struct Node {
  enum class Kind {
    kText, kComment, kSet, kIf, kFor, kMacro, kCallBlock, kFilterBlock, kBreak, kContinue,
    kInt, kFloat, kString, kIdentifier, kArray, kTuple, kDict, kMember, kSlice, kCall, kKeywordArg,
    kSpread, kKwSpread, kUnary, kBinary, kFilter, kTest, kSelect, kTernary,
  };

  Kind kind;
  size_t offset = 0;  // byte offset of the first token in the original source
  std::string text;
  double number = 0;
  bool flag = false;
  NodePtr a, b, c;
  NodeList items, body, alternate;
};

struct Program {
  NodeList body;
};

// Throws SyntaxError (message and source offset).
Program parse(const std::vector<Token>& tokens, size_t source_size);

}  // namespace ragrt::jinja
