// The tool-argument schema validator: messages the model can act on, compile-time rejection of
// keywords it does not implement, and the official JSON-Schema-Test-Suite (draft 7) for every
// keyword it does implement, when Debian's json-schema-test-suite package is installed.
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/json_schema.h"

namespace {

using json = nlohmann::json;
using ragrt::tools::JsonSchema;
using ragrt::tools::JsonSchemaError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

JsonSchema order_schema() {
  return JsonSchema::compile(nlohmann::ordered_json::parse(R"({
    "type": "object",
    "properties": {
      "order_id": {"type": "string", "pattern": "^[0-9]{5}$", "description": "order number"},
      "qty": {"type": "integer", "minimum": 1, "maximum": 10},
      "note": {"type": ["string", "null"], "maxLength": 3},
      "lang": {"enum": ["en", "de"]},
      "items": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {"sku": {"type": "string"}},
                "required": ["sku"]}}
    },
    "required": ["order_id"],
    "additionalProperties": false
  })"));
}

std::string first_error(const JsonSchema& s, const json& v) {
  auto e = s.errors(v, 1);
  return e.empty() ? "" : e[0];
}

TEST(JsonSchema, MessagesNameTheArgumentAndTheRule) {
  JsonSchema s = order_schema();
  EXPECT_EQ(first_error(s, json::object()), "argument 'order_id' is required");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"qty", "two"}}), "argument 'qty' must be an integer, got \"two\"");
  EXPECT_EQ(first_error(s, {{"order_id", "1234"}}), "argument 'order_id' must match ^[0-9]{5}$");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"qty", 0}}), "argument 'qty' must be >= 1, got 0");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"qty", 2.5}}), "argument 'qty' must be an integer, got 2.5");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"lang", "fr"}}), "argument 'lang' must be one of \"en\", \"de\", got \"fr\"");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"colour", "red"}}),
            "argument 'colour' is not expected (expected: order_id, qty, note, lang, items)");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"note", 5}}), "argument 'note' must be a string or null, got 5");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"items", json::array()}}), "argument 'items' must have at least 1 items, got 0");
  EXPECT_EQ(first_error(s, {{"order_id", "12345"}, {"items", {{{"sku", "a"}}, {{"x", 1}}}}}), "argument 'items[1].sku' is required");
  EXPECT_EQ(first_error(s, json::array()), "the arguments must be an object, got []");
}

TEST(JsonSchema, ValidArgumentsPass) {
  JsonSchema s = order_schema();
  EXPECT_TRUE(s.valid({{"order_id", "12345"}}));
  EXPECT_TRUE(s.valid({{"order_id", "12345"}, {"qty", 3}, {"note", nullptr}, {"lang", "de"}, {"items", {{{"sku", "a"}}}}}));
  EXPECT_TRUE(s.valid({{"order_id", "12345"}, {"qty", 3.0}}));  // 3.0 is an integer (draft 6+)
}

TEST(JsonSchema, AllErrorsWhenAsked) {
  auto e = order_schema().errors({{"qty", 11}, {"lang", 1}});
  EXPECT_THAT(e, ElementsAre("argument 'order_id' is required", "argument 'lang' must be one of \"en\", \"de\", got 1",
                             "argument 'qty' must be <= 10, got 11"));
}

TEST(JsonSchema, LengthCountsCodePoints) {
  JsonSchema s = JsonSchema::compile({{"type", "string"}, {"minLength", 2}, {"maxLength", 3}});
  EXPECT_TRUE(s.valid("退货"));        // 6 bytes, 2 characters
  EXPECT_TRUE(s.valid("🚀🚀🚀"));     // 12 bytes, 3 characters
  EXPECT_FALSE(s.valid("🚀"));
  EXPECT_EQ(first_error(s, "abcd"), "the arguments must be at most 3 characters long, got 4");
  // Patterns are Unicode-aware too: one character, not one byte.
  JsonSchema p = JsonSchema::compile({{"pattern", "^.$"}});
  EXPECT_TRUE(p.valid("退"));
}

TEST(JsonSchema, ExclusiveBoundsAndConst) {
  JsonSchema s = JsonSchema::compile({{"exclusiveMinimum", 0}, {"exclusiveMaximum", 1}});
  EXPECT_TRUE(s.valid(0.5));
  EXPECT_EQ(first_error(s, 0), "the arguments must be > 0, got 0");
  EXPECT_EQ(first_error(s, 1), "the arguments must be < 1, got 1");
  JsonSchema c = JsonSchema::compile({{"const", {{"a", 1}}}});
  EXPECT_TRUE(c.valid({{"a", 1.0}}));
  EXPECT_FALSE(c.valid({{"a", true}}));
}

TEST(JsonSchema, UnsupportedKeywordsAreRejectedAtCompile) {
  for (const char* keyword : {"$ref", "oneOf", "anyOf", "allOf", "not", "patternProperties", "if", "dependencies"}) {
    json schema = {{"type", "object"}, {"properties", {{"x", {{keyword, json::array()}}}}}};
    try {
      JsonSchema::compile(schema);
      ADD_FAILURE() << keyword << " accepted";
    } catch (const JsonSchemaError& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("properties.x.") + keyword + ": unsupported JSON Schema keyword"));
      EXPECT_THAT(e.path(), ElementsAre("properties", "x", keyword));
    }
  }
}

TEST(JsonSchema, MalformedSchemasAreRejectedAtCompile) {
  auto message = [](const json& schema) -> std::string {
    try {
      JsonSchema::compile(schema);
    } catch (const JsonSchemaError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THAT(message({{"type", "float"}}), HasSubstr("unknown type \"float\""));
  EXPECT_THAT(message({{"pattern", "(unclosed"}}), HasSubstr("pattern: does not compile"));
  EXPECT_THAT(message({{"minimum", "3"}}), HasSubstr("minimum: must be a number"));
  EXPECT_THAT(message({{"maxLength", -1}}), HasSubstr("maxLength: must be a non-negative integer"));
  EXPECT_THAT(message({{"items", json::array({json::object()})}}), HasSubstr("tuple validation"));
  EXPECT_THAT(message({{"required", "a"}}), HasSubstr("required: must be a list"));
  // Annotations are fine.
  EXPECT_EQ(message({{"description", "x"}, {"title", "t"}, {"format", "email"}, {"default", 1}, {"examples", {1}}}), "");
}

// The official test suite, draft 7, for the keywords implemented here. A group whose schema uses
// something else (patternProperties inside additionalProperties.json, tuple items) must fail to
// compile, never validate wrongly, and is counted as skipped.
TEST(JsonSchema, OfficialTestSuiteDraft7) {
  const std::filesystem::path dir = "/usr/share/json-schema-test-suite/tests/draft7";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "json-schema-test-suite is not installed";
  size_t cases = 0, groups = 0, skipped = 0;
  for (const char* keyword :
       {"type", "properties", "required", "additionalProperties", "enum", "const", "items", "minItems", "maxItems",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "boolean_schema"}) {
    std::ifstream in(dir / (std::string(keyword) + ".json"));
    ASSERT_TRUE(in) << keyword;
    for (const json& group : json::parse(in)) {
      std::optional<JsonSchema> schema;
      try {
        schema = JsonSchema::compile(group["schema"]);
      } catch (const JsonSchemaError&) {
        ++skipped;
        continue;
      }
      ++groups;
      for (const json& test : group["tests"]) {
        ++cases;
        EXPECT_EQ(schema->valid(test["data"]), test["valid"].get<bool>())
            << keyword << ": " << group["description"] << " / " << test["description"];
      }
    }
  }
  EXPECT_GE(groups, 35u);
  EXPECT_GE(cases, 150u);
  std::cout << "JSON-Schema-Test-Suite draft 7: " << cases << " cases in " << groups << " groups, " << skipped
            << " groups skipped (unsupported keywords)\n";
}

}  // namespace
