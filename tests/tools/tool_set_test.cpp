// ToolSet: the model's tool calls as they arrive (arguments as a JSON string, possibly broken,
// names possibly made up), the OpenAI tool list, and names checked at load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/registry.h"
#include "tools/tool_set.h"
#include "tools/tool_test_util.h"

namespace {

using json = nlohmann::json;
using ragrt::ToolStatus;
using ragrt::testing::load_error;
using ::testing::HasSubstr;

// Echoes its arguments; stands in for a real tool.
class EchoTool : public ragrt::Tool {
 public:
  explicit EchoTool(std::string name) {
    spec_.name = std::move(name);
    spec_.description = "Echoes.";
  }
  const ragrt::ToolSpec& spec() const override { return spec_; }
  std::string type() const override { return "echo"; }
  ragrt::ToolResult call(const json& arguments, const ragrt::ToolCallOptions&) const override {
    ragrt::ToolResult r;
    r.content = arguments.dump();
    return r;
  }

 private:
  ragrt::ToolSpec spec_;
};

ragrt::tools::ToolSet echo_set() {
  ragrt::tools::ToolSet set;
  set.add(std::make_shared<EchoTool>("order_status"));
  set.add(std::make_shared<EchoTool>("customer_lookup"));
  return set;
}

TEST(ToolSet, ArgumentsAsObjectOrJsonString) {
  auto set = echo_set();
  EXPECT_EQ(set.call("order_status", {{"order_id", "1"}}).content, R"({"order_id":"1"})");
  EXPECT_EQ(set.call("order_status", R"({"order_id": "2"})").content, R"({"order_id":"2"})");
  EXPECT_EQ(set.call("order_status", "").content, "{}");
  EXPECT_EQ(set.call("order_status", nullptr).content, "{}");
}

TEST(ToolSet, UnparsableArgumentsAreInvalid) {
  auto r = echo_set().call("order_status", R"({"order_id": "1")");
  EXPECT_EQ(r.status, ToolStatus::kInvalidArguments);
  EXPECT_THAT(r.content, HasSubstr("arguments are not valid JSON: parse error at line 1, column 17"));
}

TEST(ToolSet, UnknownToolListsTheAvailableOnes) {
  auto r = echo_set().call("order_statuz", "{}");
  EXPECT_EQ(r.status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(r.content, "unknown tool 'order_statuz' (available: customer_lookup, order_status)");
  EXPECT_EQ(ragrt::tools::ToolSet().call("x", "{}").content, "unknown tool 'x': no tools are available");
}

TEST(ToolSet, OpenAISpecs) {
  auto specs = echo_set().specs_openai();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0], nlohmann::ordered_json::parse(R"({"type": "function", "function": {"name": "customer_lookup",
      "description": "Echoes.", "parameters": {"type": "object", "properties": {}}}})"));
  EXPECT_STREQ(ragrt::to_string(ToolStatus::kInvalidArguments), "invalid_arguments");
  EXPECT_STREQ(ragrt::to_string(ToolStatus::kRefused), "refused");
}

TEST(ToolSet, NamesAreChecked) {
  ragrt::tools::ToolSet set;
  EXPECT_THROW(set.add(std::make_shared<EchoTool>("has space")), ragrt::Error);
  EXPECT_THROW(set.add(std::make_shared<EchoTool>(std::string(65, 'a'))), ragrt::Error);
  set.add(std::make_shared<EchoTool>("a-b_C9"));
  EXPECT_THROW(set.add(std::make_shared<EchoTool>("a-b_C9")), ragrt::Error);

  EXPECT_THAT(load_error("tools:\n  \"bad name\": {type: http}\n"), HasSubstr("tools.yaml:2:3: tools.bad name: tool names must be"));
  EXPECT_THAT(load_error("tools:\n  t: {type: sql}\n  t: {type: sql}\n"), HasSubstr("tools.yaml:3:3: tools.t: defined twice"));
  EXPECT_THAT(load_error("tools:\n  t: {type: ftp}\n"), HasSubstr("tools.t.type: unknown type 'ftp' (registered: http, sql"));
  EXPECT_THAT(load_error("tools:\n  t: {description: x}\n"), HasSubstr("tools.t.type: missing"));
}

TEST(ToolSet, BuiltinTypesAreRegistered) {
  ragrt::register_builtin_components();
  EXPECT_TRUE(ragrt::Registry<ragrt::Tool>::instance().has("http"));
  EXPECT_TRUE(ragrt::Registry<ragrt::Tool>::instance().has("sql"));
}

}  // namespace
