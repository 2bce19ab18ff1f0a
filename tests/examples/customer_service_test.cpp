// The customer-service example end to end, as examples/customer-service/run.sh runs it: its own
// config (paths moved to a temporary folder), its order service started on loopback with an API
// key, its documents indexed, and its questions asked through `ragrt ask` (extractive generator)
// and through the component graph with the synthetic LLM.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "examples/order_service_process.h"
#include "ragrt/component_graph.h"
#include "ragrt/live_graph.h"
#include "ragrt/server.h"
#include "runtime/test_models.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testing::read_file;
using testing::run_cli;
using testing::shell_quote;

const fs::path kExample = fs::path(RAGRT_SOURCE_DIR) / "examples" / "customer-service";
const char* kApiKey = "example-test-key-5f2c9a";

class CustomerServiceExample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ragrt_customer_service_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The example's config as shipped, its build/ folder moved here; docs stay where they are.
    std::string yaml = read_file(kExample / "ragrt.yaml");
    ASSERT_THAT(yaml, HasSubstr("../../build/example/customer-service"));
    yaml = std::regex_replace(yaml, std::regex("\\.\\./\\.\\./build/example/customer-service"), dir_.string());
    std::ofstream(dir_ / "ragrt.yaml") << yaml;

    ::setenv("ORDER_API_KEY", kApiKey, 1);
    service_ = new testing::OrderServiceProcess(
        dir_, {"--db", (dir_ / "customers.sqlite").string(), "--seed", (kExample / "data" / "customers.sql").string(),
               "--port", "0", "--port-file", (dir_ / "port").string(), "--api-key-env", "ORDER_API_KEY"});
    const int port = service_->wait_for_port(dir_ / "port");
    ASSERT_GT(port, 0) << service_->err();
    ::setenv("ORDER_SERVICE_URL", ("http://127.0.0.1:" + std::to_string(port)).c_str(), 1);

    auto r = run_cli("index " + shell_quote((kExample / "docs").string()) + " --config " + config());
    ASSERT_EQ(r.status, 0) << r.out;
  }
  static void TearDownTestSuite() {
    delete service_;
    fs::remove_all(dir_);
  }

  static std::string config() { return shell_quote((dir_ / "ragrt.yaml").string()); }
  static json ask(const std::string& question) {
    auto r = run_cli("ask " + shell_quote(question) + " --config " + config() + " --json", true);
    EXPECT_EQ(r.status, 0) << r.out;
    // --json prints one object on stdout; log lines on stderr come after it.
    return json::parse(r.out.substr(0, r.out.find('\n')));
  }
  static bool cites(const json& answer, const std::string& source_part) {
    for (const auto& c : answer["citations"])
      if (c["source"].get<std::string>().find(source_part) != std::string::npos) return true;
    return false;
  }

  static inline fs::path dir_;
  static inline testing::OrderServiceProcess* service_ = nullptr;
};

TEST_F(CustomerServiceExample, OrderQuestionCallsTheOrderToolAndCitesTheShippingPolicy) {
  const json a = ask("Where is my order #12345?");
  ASSERT_EQ(a["tool_calls"].size(), 1u) << a.dump();
  EXPECT_EQ(a["tool_calls"][0]["name"], "order_status");
  EXPECT_EQ(a["tool_calls"][0]["arguments"], json({{"order_id", "12345"}}));
  EXPECT_EQ(a["tool_calls"][0]["status"], "ok");
  EXPECT_THAT(a["answer"].get<std::string>(),
              StartsWith("Order 12345: In transit with UPS, tracking 1Z999AA10123456784; estimated delivery 2026-11-27. [1]"));
  ASSERT_GE(a["citations"].size(), 2u);
  EXPECT_EQ(a["citations"][0]["kind"], "tool");
  EXPECT_EQ(a["citations"][0]["source"], "tool:order_status");
  EXPECT_TRUE(cites(a, "policies/shipping.html")) << a.dump();
  EXPECT_EQ(a["pipeline"], "support");
}

TEST_F(CustomerServiceExample, ChineseOrderQuestionCitesTheChineseShippingPolicy) {
  const json a = ask("我的订单#12345现在怎么样了？");
  ASSERT_EQ(a["tool_calls"].size(), 1u) << a.dump();
  EXPECT_EQ(a["tool_calls"][0]["arguments"], json({{"order_id", "12345"}}));
  EXPECT_THAT(a["answer"].get<std::string>(), StartsWith("Order 12345: In transit with UPS"));
  EXPECT_EQ(a["citations"][0]["source"], "tool:order_status");
  EXPECT_TRUE(cites(a, "zh/shipping.md")) << a.dump();
}

TEST_F(CustomerServiceExample, CustomerOrdersComeFromTheSqlTool) {
  const json a = ask("Which orders does alice@example.com have?");
  ASSERT_EQ(a["tool_calls"].size(), 1u) << a.dump();
  EXPECT_EQ(a["tool_calls"][0]["name"], "customer_orders");
  EXPECT_EQ(a["tool_calls"][0]["arguments"], json({{"email", "alice@example.com"}}));
  EXPECT_THAT(a["answer"].get<std::string>(), HasSubstr("Order 12345 is in_transit (estimated delivery 2026-11-27)."));
  EXPECT_THAT(a["answer"].get<std::string>(), HasSubstr("Order 10001 is delivered"));
}

TEST_F(CustomerServiceExample, PolicyQuestionsNeedNoTool) {
  const json a = ask("How long does a refund take?");
  EXPECT_TRUE(a["tool_calls"].empty());
  EXPECT_TRUE(cites(a, "refunds.md")) << a.dump();
  const json zh = ask("退款多久到账？");
  EXPECT_TRUE(zh["tool_calls"].empty());
  EXPECT_THAT(zh["answer"].get<std::string>(), HasSubstr("五个工作日"));
  const json none = ask("Do you sell pizza?");
  EXPECT_EQ(none["answer"], "The documents I have do not answer this question.");
  EXPECT_TRUE(none["citations"].empty());
}

TEST_F(CustomerServiceExample, AnUnknownOrderIsToldNotInvented) {
  const json a = ask("Where is my order #99999?");
  ASSERT_EQ(a["tool_calls"].size(), 1u);
  EXPECT_EQ(a["tool_calls"][0]["status"], "failed");
  EXPECT_THAT(a["answer"].get<std::string>(), HasSubstr("could not be looked up"));
  EXPECT_THAT(a["answer"].get<std::string>(), HasSubstr("no order 99999"));
}

TEST_F(CustomerServiceExample, TheTraceShowsTheToolCallAndNeverTheApiKey) {
  const json a = ask("Where is my order #12345?");
  auto shown = run_cli("trace show " + a["trace_id"].get<std::string>() + " --json --config " + config());
  ASSERT_EQ(shown.status, 0) << shown.out;
  const json trace = json::parse(shown.out);
  EXPECT_EQ(trace["kind"], "agent");
  const json& tools = trace["root"]["children"][0];
  EXPECT_EQ(tools["name"], "tools");
  EXPECT_EQ(tools["children"][0]["name"], "tool:order_status");
  EXPECT_EQ(tools["children"][0]["attributes"]["http_status"], 200);
  auto text = run_cli("trace show " + a["trace_id"].get<std::string>().substr(0, 10) + " --config " + config());
  EXPECT_THAT(text.out, HasSubstr("tool:order_status"));
  for (const char* f : {"traces/traces.jsonl", "traces/traces.sqlite"})
    EXPECT_THAT(read_file(dir_ / f), Not(HasSubstr(kApiKey))) << f;
}

TEST_F(CustomerServiceExample, ConfigCheckPassesAndAWrongKeyIsRefusedByTheService) {
  auto check = run_cli("config check " + config());
  ASSERT_EQ(check.status, 0) << check.out;
  EXPECT_THAT(check.out, HasSubstr("tools: customer_orders, order_status"));
  EXPECT_THAT(check.out, HasSubstr("pipelines: faq, support (default support)"));
  // The tool sends the key from the environment; with another key the service says 401.
  ::setenv("ORDER_API_KEY", "wrong-key-0000", 1);
  const json a = ask("Where is my order #12345?");
  ::setenv("ORDER_API_KEY", kApiKey, 1);
  EXPECT_EQ(a["tool_calls"][0]["status"], "failed");
  EXPECT_THAT(a["tool_calls"][0]["content"].get<std::string>(), HasSubstr("401"));
}

// The same config with the synthetic decoder (random weights) as the generator: the tools are
// still chosen by rule (a random model cannot be relied on to call one), and the LLM writes the
// answer from a prompt that numbers the order result first and the shipping policy after it.
TEST_F(CustomerServiceExample, WithTheSyntheticLlm) {
  std::string yaml = read_file(dir_ / "ragrt.yaml");
  const std::string llm = "generator:\n  type: onnx\n  model: " + testing::test_model_dir("llama-tiny").string() +
                          "\n  sampling: {max_new_tokens: 8, temperature: 0}\n  context_passages: 4\n";
  yaml = std::regex_replace(yaml, std::regex("generator:\\n(  .*\\n)+"), llm);
  yaml = std::regex_replace(yaml, std::regex("  support:\\n    type: agent\\n"), "  support:\n    type: agent\n    protocol: rules\n");
  std::ofstream(dir_ / "llm.yaml") << yaml;
  auto graph = ComponentGraph::load(dir_ / "llm.yaml");
  ASSERT_TRUE(graph->generator().is_llm());

  PipelineRequest request;
  request.messages = {{{"role", "user"}, {"content", "Where is my order #12345?"}}};
  PipelineResult r = graph->run("", request);
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_TRUE(r.tool_calls[0].result.ok()) << r.tool_calls[0].result.content;
  ASSERT_GE(r.passages.size(), 2u);
  EXPECT_EQ(r.passages[0].kind, "tool");
  EXPECT_EQ(r.passages[0].id, "1");
  EXPECT_THAT(r.passages[0].text, StartsWith("Order 12345: In transit with UPS"));
  bool shipping = false;
  for (const auto& p : r.passages) shipping = shipping || p.source.find("shipping") != std::string::npos;
  EXPECT_TRUE(shipping);
  EXPECT_EQ(r.completion_tokens, 8u);
  EXPECT_GT(r.prompt_tokens, 100u);  // the numbered passages are in the prompt
  EXPECT_EQ(r.finish_reason, FinishReason::kLength);
  auto trace = graph->traces()->load(r.trace_id);
  ASSERT_TRUE(trace.has_value());
  const auto& generate = (*trace)["root"]["children"].back();
  EXPECT_EQ(generate["name"], "generate");
  EXPECT_EQ(generate["attributes"]["completion_tokens"], 8);
  EXPECT_GT(generate["attributes"]["time_to_first_token_ms"].get<double>(), 0);
}

// The chat page in headless Chromium (scripts/node/web_e2e.mjs, playwright-core driving Debian's
// chromium): the example question asked on the page streams an answer whose citations open the
// cited passage, and its trace opens with its steps. The screenshot stays in the test work dir.
TEST_F(CustomerServiceExample, TheWebPageAnswersWithCitationsAndATrace) {
  auto live = std::make_shared<LiveGraph>(LiveGraphParams{dir_ / "ragrt.yaml", std::chrono::milliseconds(0), {}});
  ServerParams params;
  params.port = 0;
  Server server(params, live);
  const int port = server.start();
  const fs::path shot = fs::path(RAGRT_TEST_WORK_DIR) / "web" / "answer.png";
  fs::create_directories(shot.parent_path());
  fs::remove(shot);
  const std::string cmd = "cd " + shell_quote(std::string(RAGRT_SOURCE_DIR) + "/scripts/node") + " && " +
                          std::string(RAGRT_NODE) + " web_e2e.mjs " +
                          shell_quote("http://127.0.0.1:" + std::to_string(port) + "/") + " " +
                          shell_quote("Where is my order #12345?") + " " + shell_quote(shot.string()) + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0) << out;
  const json seen = json::parse(out.substr(out.find_last_of('\n', out.size() - 2) + 1), nullptr, false);
  ASSERT_FALSE(seen.is_discarded()) << out;
  EXPECT_EQ(seen["title"], "ragrt");
  EXPECT_THAT(seen["answer"].get<std::string>(), HasSubstr("Order 12345: In transit with UPS")) << out;
  EXPECT_GE(seen["citation_buttons"].get<int>(), 2) << out;
  EXPECT_THAT(seen["passage"].get<std::string>(), HasSubstr("tool:order_status")) << out;
  EXPECT_GE(seen["spans"].size(), 2u) << out;
  EXPECT_GE(seen["updates"].get<int>(), 1);
  EXPECT_TRUE(seen["console_errors"].empty()) << out;
  EXPECT_TRUE(fs::exists(shot));
  std::cout << "screenshot: " << shot.string() << std::endl;
}

// OpenAI's `tools` / `tool_choice` on the server pick which of the pipeline's tools a request may
// call; names the server does not have, or a rag_qa pipeline asked to call tools, are 400s.
TEST_F(CustomerServiceExample, TheServerPassesTheRequestsToolsToTheAgent) {
  auto live = std::make_shared<LiveGraph>(LiveGraphParams{dir_ / "ragrt.yaml", std::chrono::milliseconds(0), {}});
  ServerParams params;
  params.port = 0;
  Server server(params, live);
  httplib::Client c("127.0.0.1", server.start());
  c.set_read_timeout(60, 0);
  auto ask = [&](json extra) {
    json body = {{"model", "default"},
                 {"messages", json::array({json{{"role", "user"}, {"content", "Where is my order #12345?"}}})}};
    body.update(extra);
    auto r = c.Post("/v1/chat/completions", body.dump(), "application/json");
    EXPECT_TRUE(r);
    return std::make_pair(r ? r->status : 0, r ? json::parse(r->body) : json());
  };
  const json order_status = {{"type", "function"}, {"function", {{"name", "order_status"}, {"parameters", json::object()}}}};
  auto [status, with] = ask({{"tools", json::array({order_status})}});
  ASSERT_EQ(status, 200) << with.dump();
  EXPECT_THAT(with["choices"][0]["message"]["content"].get<std::string>(), StartsWith("Order 12345: In transit"));
  auto [status_none, none] = ask({{"tool_choice", "none"}});
  ASSERT_EQ(status_none, 200) << none.dump();
  EXPECT_THAT(none["choices"][0]["message"]["content"].get<std::string>(), Not(HasSubstr("In transit")));
  auto [status_other, other] = ask(
      {{"tools", json::array({json{{"type", "function"}, {"function", {{"name", "customer_orders"}}}}})}});
  ASSERT_EQ(status_other, 200) << other.dump();
  EXPECT_THAT(other["choices"][0]["message"]["content"].get<std::string>(), Not(HasSubstr("In transit")));

  auto [status_unknown, unknown] =
      ask({{"tools", json::array({json{{"type", "function"}, {"function", {{"name", "weather"}}}}})}});
  EXPECT_EQ(status_unknown, 400);
  EXPECT_EQ(unknown["error"]["param"], "tools[0].function.name") << unknown.dump();
  EXPECT_THAT(unknown["error"]["message"].get<std::string>(), HasSubstr("no tool 'weather'"));
  auto [status_faq, faq] = ask({{"model", "faq"}, {"tools", json::array({order_status})}});
  EXPECT_EQ(status_faq, 400);
  EXPECT_THAT(faq["error"]["message"].get<std::string>(), HasSubstr("pipeline 'faq' (rag_qa) calls no tools"));
}

}  // namespace
}  // namespace ragrt
