// The rag_qa and agent pipelines through ComponentGraph, on a small indexed folder: answers with
// citations, "not found", tools chosen by rules (extractive generator), by function calling and by
// ReAct (an OpenAI-compatible server scripted on loopback), step limits, tool failures, memory,
// and the stored trace with secrets redacted.
#include "ragrt/component_graph.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_server.h"
#include "ragrt/error.h"
#include "ragrt/indexer.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/registry.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct Seen {
  std::string target;
  std::string authorization;
  std::string body;
};
using Server = testing::LoopbackServer<Seen>;
Seen record(const httplib::Request& req) {
  return {req.target, req.get_header_value("Authorization"), req.body};
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "pipelines" /
           (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "docs" / "shipping.md")
        << "# Shipping\n\nOrders shipped by standard delivery arrive within 3-5 business days. Orders in transit "
           "can be tracked with the tracking number from the carrier.\n\n# 配送\n\n标准配送的订单在3-5个工作日内送达。\n";
    std::ofstream(dir_ / "docs" / "refunds.md") << "# Refunds\n\nRefunds are paid within five working days.\n";
    write_config("");
    auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), /*writer=*/true);
    EXPECT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_config(const std::string& extra) {
    std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nretrievers: {bm25: {type: bm25}}\n" + extra;
  }
  // The message of the error loading the config with `extra` gives (kInvalidArgument).
  std::string load_error(const std::string& extra) {
    write_config(extra);
    return testing::error_of([&] { ComponentGraph::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument);
  }
  std::shared_ptr<const ComponentGraph> graph(const std::string& extra) {
    write_config(extra);
    return ComponentGraph::load(dir_ / "ragrt.yaml");
  }

  // An order tool on `port` whose order_id must be 5 digits.
  static std::string order_tool(int port, const std::string& extra = "") {
    return fmt::format(R"(tools:
  order_status:
    type: http
    description: "Status of an order by its 5-digit number."
    parameters: {{type: object, properties: {{order_id: {{type: string, pattern: "^[0-9]{{5}}$"}}}}, required: [order_id]}}
    url: "http://127.0.0.1:{}/orders/{{order_id}}"
    allow_hosts: ["127.0.0.1"]
    timeout_s: 2
    retries: 0
{})",
                       port, extra);
  }

  static PipelineRequest question(const std::string& text, const std::string& session = "") {
    PipelineRequest r;
    r.messages = {{{"role", "user"}, {"content", text}}};
    r.session = session;
    return r;
  }

  fs::path dir_;
};

// An order service answering /orders/12345.
Server order_service() {
  return Server(record, [](int, const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/orders/12345") {
      res.set_content(R"({"order_id": "12345", "status": "in_transit", "carrier": "UPS"})", "application/json");
    } else {
      res.status = 404;
      res.set_content(R"({"error": {"message": "no such order"}})", "application/json");
    }
  });
}

std::vector<std::string> child_names(const nlohmann::ordered_json& span) {
  std::vector<std::string> out;
  for (const auto& c : span["children"]) out.push_back(c["name"].get<std::string>());
  return out;
}

TEST_F(PipelineTest, RagQaAnswersWithCitationsAndStoresATrace) {
  auto g = graph("");
  PipelineResult r = g->run("", question("How long does standard delivery take?"));
  EXPECT_THAT(r.answer, HasSubstr("Orders shipped by standard delivery arrive within 3-5 business days. [1]"));
  ASSERT_FALSE(r.citations.empty());
  const Citation& c = r.citations[0];
  EXPECT_EQ(c.kind, "document");
  EXPECT_THAT(c.source, HasSubstr("shipping.md"));
  EXPECT_EQ(c.section, "Shipping");
  EXPECT_LT(c.start, c.end);
  // The offsets point at the cited text in the file.
  const std::string file = testing::read_file(dir_ / "docs" / "shipping.md");
  EXPECT_EQ(file.substr(c.start, c.end - c.start), c.text);
  EXPECT_EQ(r.pipeline, "default");
  ASSERT_EQ(r.trace_id.size(), 32u);

  ASSERT_NE(g->traces(), nullptr);
  auto trace = g->traces()->load(r.trace_id);
  ASSERT_TRUE(trace.has_value());
  EXPECT_EQ((*trace)["config_version"], g->version());
  EXPECT_EQ((*trace)["kind"], "rag_qa");
  EXPECT_THAT(child_names((*trace)["root"]), ElementsAre("retrieve", "prompt", "generate"));
  const auto& retrieve = (*trace)["root"]["children"][0]["attributes"];
  EXPECT_EQ(retrieve["query"], "How long does standard delivery take?");
  EXPECT_FALSE(retrieve["hits"].empty());
  EXPECT_TRUE(retrieve["hits"][0].contains("score"));
  EXPECT_TRUE(fs::exists(dir_ / "index" / "traces" / "traces.jsonl"));
}

TEST_F(PipelineTest, RagQaSaysSoWhenTheDocumentsDoNotAnswer) {
  auto g = graph("generator: {not_found_message: \"I don't know.\"}\n");
  PipelineResult r = g->run("", question("Do you sell pizza?"));
  EXPECT_EQ(r.answer, "I don't know.");
  EXPECT_TRUE(r.citations.empty());
}

TEST_F(PipelineTest, BadRequestsAreInvalidArguments) {
  auto g = graph("");
  PipelineRequest none;
  testing::error_of([&] { g->run("", none); }, ErrorKind::kInvalidArgument);
  PipelineRequest assistant_last;
  assistant_last.messages = {{{"role", "assistant"}, {"content", "hi"}}};
  testing::error_of([&] { g->run("", assistant_last); }, ErrorKind::kInvalidArgument);
  testing::error_of([&] { g->run("", question("\xff\xfe bad")); }, ErrorKind::kInvalidArgument);
  testing::error_of([&] { g->run("", question("ok", "bad session id!")); }, ErrorKind::kInvalidArgument);
  EXPECT_THAT(testing::error_of([&] { g->run("nope", question("ok")); }, ErrorKind::kNotFound), HasSubstr("default"));
}

TEST_F(PipelineTest, AgentWithoutLlmCallsTheToolTheQuestionSuppliesArgumentsFor) {
  Server orders = order_service();
  auto g = graph(order_tool(orders.port()) + "pipelines: {support: {type: agent, route: {order_status: [order, 订单]}}}\n");
  for (const std::string q : {"Where is my order #12345?", "我的订单#12345现在怎么样了？"}) {
    PipelineResult r = g->run("", question(q));
    ASSERT_EQ(r.tool_calls.size(), 1u) << q;
    EXPECT_EQ(r.tool_calls[0].name, "order_status");
    EXPECT_EQ(r.tool_calls[0].arguments, json({{"order_id", "12345"}}));
    EXPECT_TRUE(r.tool_calls[0].result.ok());
    // The live data first, cited as the tool; then the shipping policy from the documents.
    ASSERT_GE(r.citations.size(), 2u) << r.answer;
    EXPECT_EQ(r.citations[0].kind, "tool");
    EXPECT_EQ(r.citations[0].source, "tool:order_status");
    EXPECT_THAT(r.answer, ::testing::StartsWith("order status (order id 12345): order id 12345; status in_transit; carrier UPS. [1]"));
    EXPECT_EQ(r.citations[1].kind, "document");
    EXPECT_THAT(r.citations[1].source, HasSubstr("shipping.md"));
  }
  EXPECT_EQ(orders.requests().size(), 2u);
  EXPECT_EQ(orders.requests()[0].target, "/orders/12345");

  // No order number, or no route word: no call.
  EXPECT_TRUE(g->run("", question("Where is my order?")).tool_calls.empty());
  EXPECT_TRUE(g->run("", question("Is 12345 a lucky number?")).tool_calls.empty());
  EXPECT_EQ(orders.requests().size(), 2u);

  auto trace = g->traces()->load(g->run("", question("Where is order 12345?")).trace_id);
  ASSERT_TRUE(trace.has_value());
  EXPECT_THAT(child_names((*trace)["root"]), ElementsAre("tools", "retrieve", "prompt", "generate"));
  const auto& tool = (*trace)["root"]["children"][0]["children"][0];
  EXPECT_EQ(tool["name"], "tool:order_status");
  EXPECT_EQ(tool["attributes"]["status"], "ok");
  EXPECT_EQ(tool["attributes"]["arguments"], nlohmann::ordered_json({{"order_id", "12345"}}));
  EXPECT_GT(tool["attributes"]["bytes"].get<int>(), 0);
}

TEST_F(PipelineTest, AToolFailureIsToldNotThrown) {
  Server orders(record, [](int, const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("down", "text/plain");
  });
  auto g = graph(order_tool(orders.port()) + "pipelines: {support: {type: agent, route: {order_status: [order, 订单]}}}\n");
  PipelineResult r = g->run("", question("Where is my order 12345?"));
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].result.status, ToolStatus::kFailed);
  EXPECT_EQ(r.tool_calls[0].result.outcome, ToolOutcome::kUnavailable);
  EXPECT_THAT(r.tool_calls[0].result.detail, HasSubstr("500"));  // the operator's detail
  // The customer reads what could not be done and what to do, nothing of the service.
  EXPECT_THAT(r.answer, ::testing::StartsWith("I cannot look this up right now. Please try again in a few minutes."));
  for (const std::string& leak : std::vector<std::string>{"500", "127.0.0.1", std::to_string(orders.port()), "HTTP", "down"}) {
    EXPECT_THAT(r.answer, Not(HasSubstr(leak))) << r.answer;
  }
  for (const auto& c : r.citations) EXPECT_NE(c.kind, "tool");  // the failure is not a source
  EXPECT_TRUE(r.degraded);
  auto trace = g->traces()->load(r.trace_id);
  EXPECT_EQ((*trace)["root"]["status"], "degraded");
  const auto& span = (*trace)["root"]["children"][0]["children"][0];
  EXPECT_EQ(span["status"], "error");
  EXPECT_EQ(span["attributes"]["outcome"], "unavailable");
  EXPECT_THAT(span["error"].get<std::string>(), HasSubstr("500"));

  // In the question's language.
  PipelineResult zh = g->run("", question("我的订单12345现在在哪里？"));
  EXPECT_THAT(zh.answer, ::testing::StartsWith("暂时无法查询，请稍后再试。"));
}

TEST_F(PipelineTest, EachOutcomeHasItsMessageAndATheToolMayOverrideIt) {
  Server orders(record, [](int, const httplib::Request& req, httplib::Response& res) {
    res.status = req.path == "/orders/99999" ? 404 : req.path == "/orders/40300" ? 403 : 400;
    res.set_content(R"({"error": {"message": "internal detail"}})", "application/json");
  });
  const std::string own = "    on_error:\n      not_found: {en: \"No order {order_id}: please check the number on your receipt.\", "
                          "zh: \"没有订单{order_id}，请核对收据上的号码。\"}\n";
  auto g = graph(order_tool(orders.port(), own) + "pipelines: {support: {type: agent, route: {order_status: [order, 订单]}}}\n");
  PipelineResult missing = g->run("", question("Where is my order 99999?"));
  ASSERT_EQ(missing.tool_calls.size(), 1u);
  EXPECT_EQ(missing.tool_calls[0].result.outcome, ToolOutcome::kNotFound);
  EXPECT_THAT(missing.answer, ::testing::StartsWith("No order 99999: please check the number on your receipt."));
  EXPECT_THAT(g->run("", question("订单99999到哪了？")).answer, ::testing::StartsWith("没有订单99999，请核对收据上的号码。"));

  PipelineResult refused = g->run("", question("Where is my order 40300?"));
  EXPECT_EQ(refused.tool_calls.at(0).result.outcome, ToolOutcome::kRefused);
  EXPECT_THAT(refused.answer, ::testing::StartsWith("I am not able to look this up here. Please contact our support team."));
  EXPECT_THAT(refused.answer, Not(HasSubstr("internal detail")));

  // A malformed number is never sent: the schema rejects it and the customer is asked to check it.
  PipelineResult malformed = g->run("", question("Where is my order #1234?"));
  ASSERT_EQ(malformed.tool_calls.size(), 1u);
  EXPECT_EQ(malformed.tool_calls[0].result.outcome, ToolOutcome::kInvalidArgument);
  EXPECT_THAT(malformed.answer, ::testing::StartsWith("The details you gave (1234) do not look right."));
  EXPECT_EQ(orders.requests().size(), 3u);

  // A drill: the tool treated as down without reaching the service.
  PipelineRequest drill = question("Where is my order 12345?");
  drill.unavailable_tools = {"order_status"};
  PipelineResult down = g->run("", drill);
  EXPECT_EQ(down.tool_calls.at(0).result.outcome, ToolOutcome::kUnavailable);
  EXPECT_TRUE(down.degraded);
  EXPECT_EQ(orders.requests().size(), 3u);
}

TEST_F(PipelineTest, SecretsNeverReachTheStoredTrace) {
  ::setenv("RAGRT_TEST_PIPELINE_KEY", "sk-pipeline-secret-42", 1);
  // A careless API that echoes the key back: the tool, the answer and the trace must not show it.
  Server orders(record, [](int, const httplib::Request& req, httplib::Response& res) {
    res.set_content(json({{"order_id", "12345"}, {"debug", req.get_header_value("Authorization")}}).dump(),
                    "application/json");
  });
  auto g = graph(order_tool(orders.port(), "    headers: {Authorization: \"Bearer ${RAGRT_TEST_PIPELINE_KEY}\"}\n") +
                 "pipelines: {support: {type: agent}}\n");
  PipelineResult r = g->run("", question("Where is my order 12345?"));
  ASSERT_EQ(orders.requests().at(0).authorization, "Bearer sk-pipeline-secret-42");
  EXPECT_THAT(r.answer, Not(HasSubstr("sk-pipeline-secret-42")));
  const std::string stored = testing::read_file(dir_ / "index" / "traces" / "traces.jsonl");
  EXPECT_THAT(stored, HasSubstr(r.trace_id));
  EXPECT_THAT(stored, Not(HasSubstr("sk-pipeline-secret-42")));
  EXPECT_THAT(testing::read_file(dir_ / "index" / "traces" / "traces.sqlite"), Not(HasSubstr("sk-pipeline-secret-42")));
}

// An OpenAI-compatible server replying with `replies[hit]` (the last one repeats): a message
// object ({"content": …} or {"tool_calls": […]}).
Server llm_server(std::vector<json> replies) {
  return Server(record, [replies](int hit, const httplib::Request&, httplib::Response& res) {
    const json& message = replies[std::min<size_t>(hit, replies.size() - 1)];
    json m = message;
    m["role"] = "assistant";
    if (!m.contains("content")) m["content"] = nullptr;
    json body = {{"id", "x"},
                 {"object", "chat.completion"},
                 {"choices", json::array({{{"index", 0}, {"message", m},
                                           {"finish_reason", message.contains("tool_calls") ? "tool_calls" : "stop"}}})},
                 {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}}}};
    res.set_content(body.dump(), "application/json");
  });
}

json tool_call(const std::string& id, const std::string& arguments) {
  return {{"tool_calls", json::array({{{"id", id}, {"type", "function"},
                                      {"function", {{"name", "order_status"}, {"arguments", arguments}}}}})}};
}

std::string llm_config(int port, const std::string& protocol, size_t max_steps = 4) {
  return fmt::format("generator: {{type: openai, base_url: \"http://127.0.0.1:{}/v1\", api_key_env: \"\", stream: false}}\n"
                     "pipelines: {{support: {{type: agent, protocol: {}, max_steps: {}}}}}\n",
                     port, protocol, max_steps);
}

TEST_F(PipelineTest, FunctionCallingDecidesOnceAndAnswersOnce) {
  Server orders = order_service();
  Server llm = llm_server({tool_call("call_1", R"({"order_id": "12345"})"),
                           {{"content", "Your order 12345 is in transit with UPS [1]; delivery takes 3-5 days [2]."}}});
  auto g = graph(order_tool(orders.port()) + llm_config(llm.port(), "auto"));
  EXPECT_TRUE(g->generator().native_tool_calls());
  PipelineResult r = g->run("", question("Where is my order?"));
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].arguments, json({{"order_id", "12345"}}));
  EXPECT_EQ(r.answer, "Your order 12345 is in transit with UPS [1]; delivery takes 3-5 days [2].");
  ASSERT_EQ(r.citations.size(), 2u);
  EXPECT_EQ(r.citations[0].source, "tool:order_status");
  EXPECT_EQ(r.citations[1].kind, "document");

  // One call to decide (tools and passages in front of the model), one to answer.
  const auto reqs = llm.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const json first = json::parse(reqs[0].body);
  EXPECT_EQ(first["tools"][0]["function"]["name"], "order_status");
  EXPECT_THAT(reqs[0].body, HasSubstr("3-5 business days"));
  // The answer prompt numbers the tool result [1] and the documents after it.
  const json second = json::parse(reqs[1].body);
  EXPECT_FALSE(second.contains("tools"));
  EXPECT_THAT(reqs[1].body, HasSubstr("in_transit"));
  EXPECT_THAT(reqs[1].body, HasSubstr("3-5 business days"));
  // Usage is the sum of both calls (the stub reports 10 + 5 each), in the result and the trace.
  EXPECT_EQ(r.model_calls, 2u);
  EXPECT_EQ(r.prompt_tokens, 20u);
  EXPECT_EQ(r.completion_tokens, 10u);
  auto trace = g->traces()->load(r.trace_id);
  const auto& root = (*trace)["root"]["attributes"];
  EXPECT_EQ(root["usage"]["prompt_tokens"], 20);
  EXPECT_EQ(root["usage"]["completion_tokens"], 10);
  EXPECT_EQ(root["usage"]["total_tokens"], 30);
  EXPECT_EQ(root["usage"]["model_calls"], 2);
  EXPECT_EQ(root["answer"], r.answer);
  ASSERT_EQ(root["citations"].size(), 2u);
  EXPECT_EQ(root["citations"][0]["source"], "tool:order_status");
}

TEST_F(PipelineTest, AnAnswerFromTheDecisionCallIsTheAnswer) {
  Server orders = order_service();
  Server llm = llm_server({{{"content", "Refunds take five working days [2]; delivery takes 3-5 days [1]."}}});
  auto g = graph(order_tool(orders.port()) + llm_config(llm.port(), "function_calling"));
  PipelineResult r = g->run("", question("How long do refunds and standard delivery take?"));
  EXPECT_TRUE(r.tool_calls.empty());
  ASSERT_EQ(llm.requests().size(), 1u);  // never generated twice
  EXPECT_EQ(r.model_calls, 1u);
  ASSERT_EQ(r.passages.size(), 2u);
  // Renumbered in order of use: the passage the model called [2] is the customer's [1].
  EXPECT_EQ(r.answer, "Refunds take five working days [1]; delivery takes 3-5 days [2].");
  ASSERT_EQ(r.citations.size(), 2u);
  EXPECT_EQ(r.citations[0].id, "1");
  EXPECT_EQ(r.citations[0].source, r.passages[1].source);
  EXPECT_EQ(r.citations[1].source, r.passages[0].source);
}

TEST_F(PipelineTest, InvalidArgumentsAreToldAndCallsAreLimited) {
  Server orders = order_service();
  // A model that calls the tool three times with a wrong argument, then answers.
  json calls = {{"tool_calls", json::array()}};
  for (int i = 0; i < 3; ++i) {
    calls["tool_calls"].push_back({{"id", "c" + std::to_string(i)}, {"type", "function"},
                                   {"function", {{"name", "order_status"}, {"arguments", R"({"order": 12345})"}}}});
  }
  Server llm = llm_server({calls, {{"content", "Please check your order number."}}});
  auto g = graph(order_tool(orders.port()) + llm_config(llm.port(), "function_calling", 2));
  PipelineResult r = g->run("", question("Where is my order 12345?"));
  ASSERT_EQ(r.tool_calls.size(), 2u);  // max_steps
  EXPECT_EQ(r.tool_calls[0].result.status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(r.tool_calls[0].result.outcome, ToolOutcome::kInvalidArgument);
  EXPECT_TRUE(orders.requests().empty());  // never called with bad arguments
  const auto reqs = llm.requests();
  ASSERT_EQ(reqs.size(), 2u);
  // The answer call is told, as an instruction, what to tell the customer.
  const json answer_prompt = json::parse(reqs[1].body);
  EXPECT_THAT(answer_prompt["messages"][0]["content"].get<std::string>(), HasSubstr("do not look right"));
  EXPECT_EQ(r.answer, "Please check your order number.");
}

TEST_F(PipelineTest, ReactProtocolForModelsWithoutFunctionCalling) {
  Server orders = order_service();
  Server llm = llm_server({{{"content", "Thought: I need the order.\nAction: order_status\nAction Input: {\"order_id\": \"12345\"}"}},
                           {{"content", "It is in transit [1]."}}});
  auto g = graph(order_tool(orders.port()) + llm_config(llm.port(), "react"));
  PipelineResult r = g->run("", question("Where is my order?"));
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].arguments, json({{"order_id", "12345"}}));
  EXPECT_EQ(r.answer, "It is in transit [1].");
  const auto reqs = llm.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const json first = json::parse(reqs[0].body);
  EXPECT_FALSE(first.contains("tools"));  // the protocol is in the prompt instead
  EXPECT_THAT(first["messages"][0]["content"].get<std::string>(), HasSubstr("Action Input:"));
  EXPECT_THAT(reqs[1].body, HasSubstr("in_transit"));

  // "Final Answer:" in the decision call is the answer, without its frame.
  Server direct = llm_server({{{"content", "Thought: no tool needed.\nFinal Answer: Refunds take five working days."}}});
  auto g2 = graph(order_tool(orders.port()) + llm_config(direct.port(), "react"));
  EXPECT_EQ(g2->run("", question("How long do refunds take?")).answer, "Refunds take five working days.");
  EXPECT_EQ(direct.requests().size(), 1u);
}

TEST_F(PipelineTest, SessionMemoryKeepsTheConversation) {
  auto g = graph("memory: {type: sqlite, path: memory.sqlite, max_tokens: 1000}\n");
  ASSERT_NE(g->memory(), nullptr);
  g->run("", question("How long does standard delivery take?", "customer-1"));
  PipelineResult second = g->run("", question("And refunds?", "customer-1"));
  auto history = g->memory()->history("customer-1", 1000, [](const ChatMessage& m) { return estimate_tokens(m); });
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[2]["content"], "And refunds?");
  auto trace = g->traces()->load(second.trace_id);
  EXPECT_EQ((*trace)["root"]["children"][1]["attributes"]["history_messages"], 2);
  // Another session starts empty; the file survives a new graph (a restart).
  EXPECT_TRUE(g->memory()->history("customer-2", 1000, [](const ChatMessage& m) { return estimate_tokens(m); }).empty());
  auto again = ComponentGraph::load(dir_ / "ragrt.yaml");
  EXPECT_EQ(again->memory()->history("customer-1", 1000, [](const ChatMessage& m) { return estimate_tokens(m); }).size(), 4u);
}

TEST_F(PipelineTest, ConfigMistakesNameTheLine) {
  EXPECT_THAT(load_error("pipelines: {support: {type: agent, tools: [missing_tool]}}\n"), HasSubstr("ragrt.yaml:3:"));
  EXPECT_THAT(load_error("pipelines: {faq: {type: nonsense}}\n"),
              HasSubstr("pipelines.faq.type: unknown type 'nonsense' (registered: agent, llm, rag_qa"));
  EXPECT_THAT(load_error("memory: {type: redis}\n"), HasSubstr("unknown type 'redis' (registered: sqlite)"));
  // The file's sections and the graph's (tools, pipelines, memory) in one message, a line each.
  const std::string all = load_error("generator: {type: extractiv}\nmemory: {type: redis}\npipelines: {faq: {type: nonsense}}\n"
                                     "tools: {t: {type: ftp}}\n");
  EXPECT_THAT(all, HasSubstr("ragrt.yaml:3:19: generator.type: unknown type 'extractiv'"));
  EXPECT_THAT(all, HasSubstr("\n" + (dir_ / "ragrt.yaml").string() + ":4:16: memory.type: unknown type 'redis'"));
  EXPECT_THAT(all, HasSubstr("pipelines.faq.type: unknown type 'nonsense'"));
  EXPECT_THAT(all, HasSubstr("tools.t.type: unknown type 'ftp'"));
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 3) << all;
}

// Plug-ins: an application registers its own generator and pipeline types before loading the
// config, and `type: NAME` picks them as it picks the built-in ones.
class EchoGenerator : public Generator {
 public:
  explicit EchoGenerator(std::string greeting) : greeting_(std::move(greeting)) {}
  std::string description() const override { return "echo"; }
  bool is_llm() const override { return false; }
  GenerationResult generate(const GenerationRequest& request) override {
    GenerationResult r;
    r.text = greeting_ + " " + request.messages.back()["content"].get<std::string>();
    return r;
  }

 private:
  std::string greeting_;
};

class ShoutPipeline : public Pipeline {
 public:
  explicit ShoutPipeline(std::string name) : name_(std::move(name)) {}
  std::string type() const override { return "shout"; }
  const std::string& name() const override { return name_; }
  PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const override {
    GenerationRequest g;
    g.messages = request.messages;
    PipelineResult r;
    r.answer = graph.generator().generate(g).text + "!";
    r.pipeline = name_;
    return r;
  }

 private:
  std::string name_;
};

TEST_F(PipelineTest, RegisteredTypesArePickedByName) {
  Registry<Generator>::instance().add("echo", [](const ComponentSpec& s) {
    s.reader->only_keys(s.node, s.key, {"type", "greeting", "context_passages"});
    return std::make_shared<EchoGenerator>(s.reader->string(s.node["greeting"], s.key + ".greeting"));
  });
  Registry<Pipeline>::instance().add("shout", [](const ComponentSpec& s) { return std::make_shared<ShoutPipeline>(s.name); });
  auto g = graph("generator: {type: echo, greeting: Hello, context_passages: 2}\npipelines: {loud: {type: shout}}\n");
  EXPECT_EQ(g->generator().description(), "echo");
  EXPECT_EQ(g->config().generator.context_passages, 2u);
  PipelineResult r = g->run("loud", question("world"));
  EXPECT_EQ(r.answer, "Hello world!");
  EXPECT_FALSE(r.trace_id.empty());
  // The registered factory checks its own keys.
  EXPECT_THAT(load_error("generator: {type: echo, greeting: Hi, temperature: 3}\n"), HasSubstr("ragrt.yaml:3:"));
  // An unknown type lists the registered ones, the application's included.
  EXPECT_THAT(load_error("generator: {type: llama}\n"),
              HasSubstr("generator.type: unknown type 'llama' (registered: echo, extractive, onnx, openai)"));
  EXPECT_THAT(load_error("pipelines: {x: {type: whisper}}\n"),
              HasSubstr("unknown type 'whisper' (registered: agent, llm, rag_qa, shout)"));
}

}  // namespace
}  // namespace ragrt
