#pragma once
// Tokenizer for chat templates, a port of @huggingface/jinja's lexer including the
// pre-processing it applies for transformers (trim_blocks, lstrip_blocks, a dropped trailing
// newline, removal of `{% generation %}` tags) and its whitespace control. Each token remembers
// the byte offset in the original source it came from, for error messages.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::jinja {

enum class TokenType {
  kText,
  kNumericLiteral,
  kStringLiteral,
  kIdentifier,
  kEquals,
  kOpenParen,
  kCloseParen,
  kOpenStatement,
  kCloseStatement,
  kOpenExpression,
  kCloseExpression,
  kOpenSquareBracket,
  kCloseSquareBracket,
  kOpenCurlyBracket,
  kCloseCurlyBracket,
  kComma,
  kDot,
  kColon,
  kPipe,
  kAdditiveBinaryOperator,        // + - ~
  kMultiplicativeBinaryOperator,  // * / // %
  kExponentiationBinaryOperator,  // **
  kComparisonBinaryOperator,      // < > <= >= == !=
  kUnaryOperator,                 // - + not followed by a number
  kComment,
};

const char* token_type_name(TokenType t);

struct Token {
  TokenType type;
  std::string value;
  size_t offset = 0;  // into the original template source
};

// A syntax error at byte `offset` of the original source.
struct SyntaxError : std::runtime_error {
  SyntaxError(const std::string& message, size_t at) : std::runtime_error(message), offset(at) {}
  size_t offset;
};

std::vector<Token> tokenize(std::string_view source);

}  // namespace ragrt::jinja
