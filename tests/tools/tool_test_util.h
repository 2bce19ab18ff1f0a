#pragma once
// Loading tools from YAML text as a config file would, for the tool tests.
#include <filesystem>
#include <initializer_list>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include "ragrt/error.h"
#include "ragrt/yaml_reader.h"
#include "test_helpers.h"
#include "tools/tool_set.h"

namespace ragrt::testing {

// `yaml` holds a `tools:` mapping; relative paths resolve against `base`; messages say "tools.yaml".
inline tools::ToolSet load_tools(const std::string& yaml, const std::filesystem::path& base = ".") {
  YAML::Node root = YAML::Load(yaml);
  config::YamlReader reader("tools.yaml", base);
  return tools::ToolSet::from_yaml(root["tools"], reader);
}

inline std::string load_error(const std::string& yaml, const std::filesystem::path& base = ".") {
  return error_of([&] { load_tools(yaml, base); }, ErrorKind::kInvalidArgument);
}

// The customer_lookup contract the tests of both SQL backends share (customer c1 is Ada, gold,
// ada@example.com): the named query's result shape, and `attacks` bound as values that match nobody.
inline void expect_customer_lookup(const Tool& tool, std::initializer_list<const char*> attacks) {
  using json = nlohmann::json;
  EXPECT_EQ(tool.type(), "sql");
  auto r = tool.call({{"customer_id", "c1"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["columns"], json({"name", "tier", "email"}));
  EXPECT_EQ(r.data["rows"], json({{"Ada", "gold", "ada@example.com"}}));
  EXPECT_EQ(r.data["truncated"], false);
  EXPECT_EQ(r.content, r.data.dump());
  EXPECT_EQ(r.attempts, 1u);
  for (const char* attack : attacks) {
    auto bad = tool.call({{"customer_id", attack}});
    ASSERT_TRUE(bad.ok()) << attack << ": " << bad.content;
    EXPECT_EQ(bad.data["rows"], json::array()) << attack;
  }
  auto missing = tool.call(json::object());
  EXPECT_EQ(missing.status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(missing.content, "argument 'customer_id' is required.");
}

// Each of `statements` ({"sql": …}, a read_only_query tool) is refused with a message containing `why`.
inline void expect_refused(const Tool& tool, std::initializer_list<const char*> statements, const std::string& why) {
  for (const char* sql : statements) {
    auto r = tool.call({{"sql", sql}});
    EXPECT_EQ(r.status, ToolStatus::kRefused) << sql << ": " << r.content;
    EXPECT_THAT(r.content, ::testing::HasSubstr(why)) << sql;
  }
}

}  // namespace ragrt::testing
