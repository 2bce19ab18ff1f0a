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
  EXPECT_EQ(r.outcome, ragrt::ToolOutcome::kInvalidArgument);
  EXPECT_EQ(r.detail, "unknown tool 'order_statuz' (available: customer_lookup, order_status)");
  // The model reads the outcome first, then what to do.
  EXPECT_THAT(r.content, ::testing::StartsWith("invalid_argument: unknown tool 'order_statuz' (available: "));
  EXPECT_EQ(ragrt::tools::ToolSet().call("x", "{}").detail, "unknown tool 'x': no tools are available");
}

// The outcome of a result, and the text the model is given for it: what happened in words it can
// act on, never the service's own message.
TEST(ToolSet, OutcomesAreClassifiedAndTheModelIsToldWhatToDo) {
  using ragrt::ToolOutcome;
  using ragrt::tools::ToolSet;
  auto classified = [](ragrt::ToolResult r, const json& args = {{"order_id", "99999"}}) {
    ToolSet::classify(r, args);
    return r;
  };
  ragrt::ToolResult ok;
  ok.content = "fine";
  EXPECT_EQ(classified(ok).outcome, ToolOutcome::kOk);
  EXPECT_EQ(classified(ok).content, "fine");

  ragrt::ToolResult no_rows;  // an SQL query that matched nothing: ok for the service, not found for the customer
  no_rows.data = {{"rows", json::array()}};
  no_rows.content = "0 rows";
  const auto nf = classified(no_rows, {{"email", "x@y.z"}});
  EXPECT_EQ(nf.outcome, ToolOutcome::kNotFound);
  EXPECT_EQ(nf.status, ToolStatus::kOk);
  EXPECT_EQ(nf.content, "not_found: nothing matches email x@y.z. Tell the customer it was not found and ask them to check it.");

  ragrt::ToolResult down;
  down.status = ToolStatus::kFailed;
  down.content = "could not connect to 127.0.0.1 (2 attempts): Couldn't connect to server";
  const auto u = classified(down);
  EXPECT_EQ(u.outcome, ToolOutcome::kUnavailable);
  EXPECT_EQ(u.detail, down.content);
  EXPECT_THAT(u.content, ::testing::StartsWith("unavailable: the service cannot be reached right now."));
  EXPECT_THAT(u.content, ::testing::Not(HasSubstr("127.0.0.1")));

  ragrt::ToolResult slow = down;
  slow.content = "request timed out after 3000 ms";
  EXPECT_EQ(classified(slow).outcome, ToolOutcome::kTimeout);
  ragrt::ToolResult refused;
  refused.status = ToolStatus::kRefused;
  refused.content = "host evil.example is not in allow_hosts";
  EXPECT_EQ(classified(refused).outcome, ToolOutcome::kRefused);
  EXPECT_THAT(classified(refused).content, ::testing::Not(HasSubstr("evil")));
  // An outcome the tool set already knows (HttpTool maps HTTP statuses) is kept.
  ragrt::ToolResult missing = down;
  missing.outcome = ToolOutcome::kNotFound;
  missing.content = "HTTP 404 from 127.0.0.1: {\"error\": \"no order 99999\"}";
  EXPECT_EQ(classified(missing).content,
            "not_found: nothing matches order_id 99999. Tell the customer it was not found and ask them to check it.");

  for (auto o : {ToolOutcome::kOk, ToolOutcome::kNotFound, ToolOutcome::kInvalidArgument, ToolOutcome::kUnavailable,
                 ToolOutcome::kTimeout, ToolOutcome::kRefused})
    EXPECT_EQ(ragrt::tool_outcome_named(ragrt::to_string(o)), o);
  EXPECT_FALSE(ragrt::is_tool_failure(ToolOutcome::kNotFound));  // the service answered
  EXPECT_TRUE(ragrt::is_tool_failure(ToolOutcome::kTimeout));
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
