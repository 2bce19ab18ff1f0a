#pragma once
// The JSON Schema subset that tool argument schemas use (draft 7 semantics), compiled once at config
// load and checked before every tool call:
//
//   type (one name or a list), properties, required, additionalProperties (bool or schema), enum,
//   const, items (one schema), minItems, maxItems, minimum, maximum, exclusiveMinimum,
//   exclusiveMaximum (numbers, as in draft 6+), minLength, maxLength (Unicode code points),
//   pattern (PCRE2, UTF mode, unanchored as in JSON Schema); true/false as schemas.
//   Annotations are accepted and ignored: title, description, default, examples, format,
//   $schema, $id, $comment, readOnly, writeOnly, deprecated.
//
// Any other keyword ($ref, oneOf, anyOf, allOf, not, patternProperties, if/then/else, …) is an
// error at compile time: silently ignoring it would accept arguments the author meant to reject.
//
// Validation messages are written for the model to act on and name the argument by its path
// (order_id, address.zip, items[2].qty):
//   argument 'order_id' is required
//   argument 'qty' must be an integer, got "two"
//   argument 'order_id' must match ^[0-9]{5}$
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"

namespace ragrt::tools {

// A schema that does not compile; path() leads from the root schema to the offending keyword
// (["properties", "qty", "minimum"]) so that a config reader can point at its line.
class JsonSchemaError : public Error {
 public:
  JsonSchemaError(std::vector<std::string> path, const std::string& msg)
      : Error(ErrorKind::kInvalidArgument, msg, __FILE__, __LINE__), path_(std::move(path)) {}
  const std::vector<std::string>& path() const { return path_; }

 private:
  std::vector<std::string> path_;
};

class JsonSchema {
 public:
  // Throws JsonSchemaError for unsupported keywords and malformed values (a pattern that does not
  // compile, "minimum": "3", an unknown type name). Ordered, so that messages list properties in
  // the order the schema gives them.
  static JsonSchema compile(const nlohmann::ordered_json& schema);

  // Up to `limit` messages, in document order; empty when `value` is valid. Thread-safe.
  std::vector<std::string> errors(const nlohmann::json& value, size_t limit = std::numeric_limits<size_t>::max()) const;
  bool valid(const nlohmann::json& value) const { return errors(value, 1).empty(); }

  struct Node;

 private:
  explicit JsonSchema(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace ragrt::tools
