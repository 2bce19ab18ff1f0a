// The `openai` generator against a fake OpenAI-compatible server on loopback (cpp-httplib):
// plain and streamed answers (events cut at arbitrary bytes, inside JSON and inside UTF-8
// characters), tool calls, the request body, authentication, retries, and the ways a stream can
// fail. Nothing here reaches the network; timeouts are fractions of a second.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loopback_server.h"
#include "test_helpers.h"
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/openai_generator.h"
#include "text/utf8.h"

namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

struct Recorded {
  std::string path;
  json body;
  std::string authorization;
  std::string custom_header;
};

class MockServer {
 public:
  using Handler = ragrt::testing::LoopbackServer<Recorded>::Handler;

  explicit MockServer(Handler handler) : server_(&record, std::move(handler)) {}
  ~MockServer() { closing_ = true; }  // before server_ stops: stalled streams watch it

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + "/v1"; }
  std::vector<Recorded> requests() const { return server_.requests(); }
  const std::atomic<bool>& closing() const { return closing_; }

 private:
  static Recorded record(const httplib::Request& req) {
    return {req.path, json::parse(req.body, nullptr, false), req.get_header_value("Authorization"),
            req.get_header_value("X-Custom")};
  }

  std::atomic<bool> closing_{false};
  ragrt::testing::LoopbackServer<Recorded> server_;
};

// How a scripted stream ends after its writes.
enum class End { kClose, kStall, kDrop };

// Answers with `writes` as separate chunks, `gap` apart (so that most reach the client as
// separate reads).
void stream(httplib::Response& res, std::vector<std::string> writes, End end, const std::atomic<bool>& closing,
            std::chrono::microseconds gap = std::chrono::milliseconds(1)) {
  res.set_chunked_content_provider("text/event-stream", [writes, end, &closing, gap](size_t, httplib::DataSink& sink) {
    for (const std::string& w : writes) {
      if (!sink.write(w.data(), w.size())) return false;
      std::this_thread::sleep_for(gap);
    }
    if (end == End::kDrop) return false;  // the connection closes without the final chunk
    if (end == End::kStall) {
      for (int i = 0; i < 300 && !closing; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return false;
    }
    sink.done();
    return true;
  });
}

json chunk(json delta, json finish_reason = nullptr) {
  return {{"id", "chatcmpl-1"},
          {"object", "chat.completion.chunk"},
          {"choices",
           json::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish_reason)}}})},
          {"usage", nullptr}};
}

std::string event(const json& j, const char* eol = "\n") { return "data: " + j.dump() + eol + eol; }

std::vector<std::string> split_every(const std::string& s, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
  return out;
}

ragrt::OpenAIGeneratorParams params_for(const MockServer& server) {
  ragrt::OpenAIGeneratorParams p;
  p.base_url = server.base_url();
  p.model = "test-model";
  p.connect_timeout_s = 0.5;
  p.timeout_s = 5;
  p.idle_timeout_s = 2;
  p.max_retries = 2;
  p.retry_backoff_s = 0.01;
  return p;
}

ragrt::GenerationRequest ask(const std::string& question) {
  ragrt::GenerationRequest r;
  r.messages = {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", question}}};
  return r;
}

using ragrt::testing::error_of;

TEST(OpenAIGenerator, NonStreamingAnswerAndUsage) {
  MockServer server([](int, const httplib::Request&, httplib::Response& res) {
    json answer = {
        {"id", "chatcmpl-1"},
        {"object", "chat.completion"},
        {"choices", json::array({{{"index", 0},
                                  {"message", {{"role", "assistant"}, {"content", "Refunds take 5 days. 退货 🚀"}}},
                                  {"finish_reason", "stop"}}})},
        {"usage",
         {{"prompt_tokens", 12},
          {"completion_tokens", 7},
          {"total_tokens", 19},
          {"prompt_tokens_details", {{"cached_tokens", 8}}}}}};
    res.set_content(answer.dump(), "application/json");
  });
  auto params = params_for(server);
  params.stream = false;
  auto gen = ragrt::make_openai_generator(params);
  EXPECT_THAT(gen->description(), HasSubstr("test-model"));

  auto request = ask("How long do refunds take?");
  std::vector<std::string> pieces;
  request.on_text = [&](std::string_view t) { pieces.emplace_back(t); };
  auto result = gen->generate(request);
  EXPECT_EQ(result.text, "Refunds take 5 days. 退货 🚀");
  EXPECT_EQ(pieces, std::vector<std::string>{result.text});
  EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kStop);
  EXPECT_EQ(result.prompt_tokens, 12u);
  EXPECT_EQ(result.completion_tokens, 7u);
  EXPECT_EQ(result.cached_prompt_tokens, 8u);
  EXPECT_TRUE(result.tool_calls.empty());
  EXPECT_GT(result.total_ms, 0);

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].body["model"], "test-model");
  EXPECT_EQ(reqs[0].body["messages"], json(request.messages));
  EXPECT_FALSE(reqs[0].body.contains("stream"));
  EXPECT_FALSE(reqs[0].body.contains("tools"));
  EXPECT_TRUE(reqs[0].authorization.empty());
}

// Events cut every few bytes: inside "data:", inside the JSON, inside 退 and 🚀, between CR and LF.
TEST(OpenAIGenerator, StreamingReassemblesEventsSplitAnywhere) {
  for (const char* eol : {"\n", "\r\n"}) {
    for (size_t cut : {1u, 3u, 7u}) {
      std::string body = ": keep-alive" + std::string(eol) + std::string(eol);
      body += event(chunk({{"role", "assistant"}, {"content", ""}}), eol);
      body += event(chunk({{"content", "退货"}}), eol);
      body += event(chunk({{"content", " policy 🚀"}}), eol);
      body += event(chunk({{"content", " ok"}}), eol);
      body += event(chunk(json::object(), "length"), eol);
      body += event({{"id", "chatcmpl-1"},
                     {"choices", json::array()},
                     {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 4}}}},
                    eol);
      body += std::string("data: [DONE]") + eol + eol;
      MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
        stream(res, split_every(body, cut), End::kClose, server.closing(), std::chrono::microseconds(100));
      });
      auto gen = ragrt::make_openai_generator(params_for(server));
      auto request = ask("Tell me about returns");
      std::vector<std::string> pieces;
      request.on_text = [&](std::string_view t) { pieces.emplace_back(t); };
      auto result = gen->generate(request);

      SCOPED_TRACE(testing::Message() << "cut " << cut << (eol[0] == '\r' ? " CRLF" : " LF"));
      EXPECT_EQ(result.text, "退货 policy 🚀 ok");
      std::string joined;
      for (const auto& p : pieces) {
        EXPECT_EQ(ragrt::text::find_invalid_utf8(p), ragrt::text::kValidUtf8) << p;
        joined += p;
      }
      EXPECT_EQ(joined, result.text);
      EXPECT_EQ(pieces.size(), 3u);
      EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kLength);
      EXPECT_EQ(result.prompt_tokens, 20u);
      EXPECT_EQ(result.completion_tokens, 4u);
      EXPECT_GT(result.time_to_first_token_ms, 0);
      EXPECT_GE(result.total_ms, result.time_to_first_token_ms);

      auto reqs = server.requests();
      ASSERT_EQ(reqs.size(), 1u);
      EXPECT_EQ(reqs[0].body["stream"], true);
      EXPECT_EQ(reqs[0].body["stream_options"], json({{"include_usage", true}}));
    }
  }
}

TEST(OpenAIGenerator, StreamedToolCallsAreAssembledByIndex) {
  std::string body;
  body += event(chunk({{"role", "assistant"}, {"content", nullptr}}));
  body += event(chunk({{"tool_calls", json::array({{{"index", 0},
                                                    {"id", "call_a"},
                                                    {"type", "function"},
                                                    {"function", {{"name", "get_weather"}, {"arguments", ""}}}}})}}));
  body += event(chunk({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "{\"city\": "}}}}})}}));
  body += event(chunk({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "\"Paris\"}"}}}}})}}));
  body +=
      event(chunk({{"tool_calls", json::array({{{"index", 1},
                                                {"id", "call_b"},
                                                {"type", "function"},
                                                {"function", {{"name", "get_time"}, {"arguments", "{\"tz\""}}}}})}}));
  body += event(chunk({{"tool_calls", json::array({{{"index", 1}, {"function", {{"arguments", ": \"CET\"}"}}}}})}}));
  body += event(chunk(json::object(), "tool_calls"));
  body += "data: [DONE]\n\n";
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    stream(res, split_every(body, 11), End::kClose, server.closing());
  });
  auto gen = ragrt::make_openai_generator(params_for(server));
  auto request = ask("Weather and time in Paris?");
  request.tools = json::array(
      {{{"type", "function"}, {"function", {{"name", "get_weather"}, {"parameters", {{"type", "object"}}}}}}});
  auto result = gen->generate(request);

  EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kToolCalls);
  EXPECT_EQ(result.text, "");
  json expected = json::array({{{"id", "call_a"},
                                {"type", "function"},
                                {"function", {{"name", "get_weather"}, {"arguments", "{\"city\": \"Paris\"}"}}}},
                               {{"id", "call_b"},
                                {"type", "function"},
                                {"function", {{"name", "get_time"}, {"arguments", "{\"tz\": \"CET\"}"}}}}});
  EXPECT_EQ(json(result.tool_calls), expected);  // compared without regard to key order
  EXPECT_EQ(server.requests().at(0).body["tools"], request.tools);
}

TEST(OpenAIGenerator, RequestCarriesTheSamplingFieldsThatWereSet) {
  MockServer server([](int, const httplib::Request&, httplib::Response& res) {
    json answer = {
        {"choices", json::array({{{"index", 0}, {"message", {{"content", "ok"}}}, {"finish_reason", "stop"}}})}};
    res.set_content(answer.dump(), "application/json");
  });
  auto params = params_for(server);
  params.stream = false;
  params.headers = {{"X-Custom", "gateway-value"}};
  auto gen = ragrt::make_openai_generator(params);

  auto request = ask("hi");
  request.sampling.temperature = 0.7f;
  request.sampling.top_p = 0.9f;
  request.sampling.max_new_tokens = 64;
  request.sampling.seed = 42;
  request.sampling.stop = {"\n\n", "END"};
  request.sampling.top_k = 40;
  gen->generate(request);

  ragrt::GenerationRequest greedy = ask("hi");
  greedy.sampling.do_sample = false;
  greedy.sampling.repetition_penalty = 1.1f;
  greedy.sampling.min_p = 0.05f;
  greedy.sampling.frequency_penalty = 0.5f;
  greedy.sampling.presence_penalty = -0.25f;
  greedy.sampling.logit_bias = {{50256, -100.0f}};
  gen->generate(greedy);

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const json& b = reqs[0].body;
  EXPECT_EQ(b["temperature"], 0.7);
  EXPECT_EQ(b["top_p"], 0.9);
  EXPECT_EQ(b["max_tokens"], 64);
  EXPECT_EQ(b["seed"], 42);
  EXPECT_EQ(b["stop"], json({"\n\n", "END"}));
  EXPECT_EQ(b["top_k"], 40);
  for (const char* unset : {"min_p", "repetition_penalty", "frequency_penalty", "presence_penalty", "logit_bias", "tools",
                            "stream", "stream_options"})
    EXPECT_FALSE(b.contains(unset)) << unset;
  EXPECT_EQ(reqs[0].custom_header, "gateway-value");

  const json& g = reqs[1].body;
  EXPECT_EQ(g["temperature"], 0);
  EXPECT_EQ(g["repetition_penalty"], 1.1);
  EXPECT_EQ(g["min_p"], 0.05);
  EXPECT_EQ(g["frequency_penalty"], 0.5);
  EXPECT_EQ(g["presence_penalty"], -0.25);
  EXPECT_EQ(g["logit_bias"], json({{"50256", -100}}));
  for (const char* unset : {"top_p", "top_k", "max_tokens", "seed", "stop"}) EXPECT_FALSE(g.contains(unset)) << unset;
}

TEST(OpenAIGenerator, RawPromptGoesToCompletions) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    std::string body =
        event({{"choices", json::array({{{"index", 0}, {"text", "Once upon"}, {"finish_reason", nullptr}}})}});
    body += event({{"choices", json::array({{{"index", 0}, {"text", " a time"}, {"finish_reason", "stop"}}})}});
    body += "data: [DONE]\n\n";
    stream(res, {body}, End::kClose, server.closing());
  });
  auto gen = ragrt::make_openai_generator(params_for(server));
  ragrt::GenerationRequest request;
  request.prompt = "Tell a story:";
  auto result = gen->generate(request);
  EXPECT_EQ(result.text, "Once upon a time");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/completions");
  EXPECT_EQ(reqs[0].body["prompt"], "Tell a story:");
  EXPECT_FALSE(reqs[0].body.contains("messages"));
}

TEST(OpenAIGenerator, AuthorizationComesFromTheEnvironmentAndTheKeyNeverLeaks) {
  const std::string key = "sk-test-0123456789abcdef";
  ::setenv("RAGRT_TEST_OPENAI_KEY", key.c_str(), 1);
  MockServer server([&](int hit, const httplib::Request&, httplib::Response& res) {
    if (hit == 0) {
      res.set_content(
          json(
              {{"choices", json::array({{{"index", 0}, {"message", {{"content", "hi"}}}, {"finish_reason", "stop"}}})}})
              .dump(),
          "application/json");
    } else {
      res.status = 401;
      res.set_content(
          json({{"error", {{"message", "Incorrect API key provided: " + key}, {"type", "invalid_request_error"}}}})
              .dump(),
          "application/json");
    }
  });
  auto params = params_for(server);
  params.stream = false;
  params.api_key_env = "RAGRT_TEST_OPENAI_KEY";
  auto gen = ragrt::make_openai_generator(params);
  EXPECT_THAT(gen->description(), Not(HasSubstr(key)));
  EXPECT_EQ(gen->generate(ask("hi")).text, "hi");
  EXPECT_EQ(server.requests().at(0).authorization, "Bearer " + key);

  // 401: no retry, the message names the variable, not its value (even though the server echoed it).
  std::string message = error_of([&] { gen->generate(ask("hi")); }, ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr("RAGRT_TEST_OPENAI_KEY"));
  EXPECT_THAT(message, HasSubstr("401"));
  EXPECT_THAT(message, HasSubstr("Incorrect API key provided"));
  EXPECT_THAT(message, Not(HasSubstr(key)));
  EXPECT_EQ(server.requests().size(), 2u);
  ::unsetenv("RAGRT_TEST_OPENAI_KEY");
}

TEST(OpenAIGenerator, ParametersAreValidated) {
  ragrt::OpenAIGeneratorParams p;
  p.base_url = "localhost:8000/v1";
  EXPECT_THAT(error_of([&] { ragrt::make_openai_generator(p); }, ragrt::ErrorKind::kInvalidArgument),
              HasSubstr("base_url"));
  p.base_url = "ftp://localhost/v1";
  EXPECT_THAT(error_of([&] { ragrt::make_openai_generator(p); }, ragrt::ErrorKind::kInvalidArgument),
              HasSubstr("base_url"));
  p.base_url = "http://user:sk-secret@localhost/v1";
  std::string message = error_of([&] { ragrt::make_openai_generator(p); }, ragrt::ErrorKind::kInvalidArgument);
  EXPECT_THAT(message, HasSubstr("base_url"));
  EXPECT_THAT(message, Not(HasSubstr("sk-secret")));
  p.base_url = "http://localhost:8000/v1/";
  p.api_key_env = "RAGRT_TEST_SURELY_UNSET_VARIABLE";
  ::unsetenv("RAGRT_TEST_SURELY_UNSET_VARIABLE");
  message = error_of([&] { ragrt::make_openai_generator(p); }, ragrt::ErrorKind::kInvalidArgument);
  EXPECT_THAT(message, HasSubstr("api_key_env"));
  EXPECT_THAT(message, HasSubstr("RAGRT_TEST_SURELY_UNSET_VARIABLE"));
  p.api_key_env = "";
  p.timeout_s = 0;
  EXPECT_THAT(error_of([&] { ragrt::make_openai_generator(p); }, ragrt::ErrorKind::kInvalidArgument),
              HasSubstr("timeout_s"));
  p.timeout_s = 1;
  EXPECT_EQ(ragrt::make_openai_generator(p)->description(), "openai (server's model) (http://localhost:8000/v1)");
}

TEST(OpenAIGenerator, ServerErrorIsRetried) {
  MockServer server([](int hit, const httplib::Request&, httplib::Response& res) {
    if (hit == 0) {
      res.status = 500;
      res.set_content(R"({"error": {"message": "overloaded"}})", "application/json");
      return;
    }
    res.set_content(
        json({{"choices",
               json::array(
                   {{{"index", 0}, {"message", {{"content", "second time lucky"}}}, {"finish_reason", "stop"}}})}})
            .dump(),
        "application/json");
  });
  auto params = params_for(server);
  params.stream = false;
  auto result = ragrt::make_openai_generator(params)->generate(ask("hi"));
  EXPECT_EQ(result.text, "second time lucky");
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(OpenAIGenerator, TooManyRequestsHonoursRetryAfter) {
  MockServer server([&](int hit, const httplib::Request&, httplib::Response& res) {
    if (hit == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"error": {"message": "rate limited"}})", "application/json");
      return;
    }
    stream(res, {event(chunk({{"content", "ok"}}, "stop")), "data: [DONE]\n\n"}, End::kClose, server.closing());
  });
  const auto start = Clock::now();
  auto result = ragrt::make_openai_generator(params_for(server))->generate(ask("hi"));
  const double waited_s = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(result.text, "ok");
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_GE(waited_s, 0.95);  // not the 0.01 s backoff

  // Retries exhausted: kIo with the server's message.
  MockServer always([](int, const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content(R"({"error": {"message": "try later"}})", "application/json");
  });
  auto params = params_for(always);
  params.max_retries = 1;
  std::string message =
      error_of([&] { ragrt::make_openai_generator(params)->generate(ask("hi")); }, ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr("503"));
  EXPECT_THAT(message, HasSubstr("try later"));
  EXPECT_EQ(always.requests().size(), 2u);
}

TEST(OpenAIGenerator, BadRequestIsNotRetriedAndQuotesTheServer) {
  MockServer server([](int, const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content(
        R"({"object": "error", "message": "ignored", "error": {"message": "max_tokens must be at most 4096, got 99999", "type": "BadRequestError"}})",
        "application/json");
  });
  auto gen = ragrt::make_openai_generator(params_for(server));
  std::string message = error_of([&] { gen->generate(ask("hi")); }, ragrt::ErrorKind::kInvalidArgument);
  EXPECT_THAT(message, HasSubstr("400"));
  EXPECT_THAT(message, HasSubstr("max_tokens must be at most 4096, got 99999"));
  EXPECT_EQ(server.requests().size(), 1u);

  MockServer unauthorized([](int, const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"error": {"message": "no key"}})", "application/json");
  });
  message = error_of([&] { ragrt::make_openai_generator(params_for(unauthorized))->generate(ask("hi")); },
                     ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr("api_key_env"));
  EXPECT_EQ(unauthorized.requests().size(), 1u);
}

TEST(OpenAIGenerator, UnreachableServerIsAnIoErrorNamingTheUrl) {
  ragrt::OpenAIGeneratorParams p;
  p.base_url = "http://127.0.0.1:" + std::to_string(ragrt::testing::unused_loopback_port()) + "/v1";
  p.connect_timeout_s = 0.3;
  p.max_retries = 1;
  p.retry_backoff_s = 0.01;
  std::string message = error_of([&] { ragrt::make_openai_generator(p)->generate(ask("hi")); }, ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr(p.base_url + "/chat/completions"));
  EXPECT_THAT(message, HasSubstr("2 attempts"));
}

TEST(OpenAIGenerator, StalledStreamHitsTheIdleTimeout) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    stream(res, {event(chunk({{"role", "assistant"}, {"content", "Hel"}}))}, End::kStall, server.closing());
  });
  auto params = params_for(server);
  params.idle_timeout_s = 0.2;
  auto request = ask("hi");
  std::string seen;
  request.on_text = [&](std::string_view t) { seen += t; };
  const auto start = Clock::now();
  std::string message =
      error_of([&] { ragrt::make_openai_generator(params)->generate(request); }, ragrt::ErrorKind::kIo);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 1.5);
  EXPECT_THAT(message, HasSubstr("idle_timeout_s"));
  EXPECT_EQ(seen, "Hel");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(OpenAIGenerator, CancelMidStreamKeepsTheTextSoFar) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    stream(res, {event(chunk({{"role", "assistant"}, {"content", "Hello"}})), event(chunk({{"content", " wor"}}))},
           End::kStall, server.closing());
  });
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto request = ask("hi");
  request.cancel = cancel;
  std::thread canceller;
  request.on_text = [&](std::string_view) {
    if (!canceller.joinable())
      canceller = std::thread([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        *cancel = true;
      });
  };
  const auto start = Clock::now();
  auto result = ragrt::make_openai_generator(params_for(server))->generate(request);
  canceller.join();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 1.0);
  EXPECT_EQ(result.finish_reason, ragrt::FinishReason::kCancelled);
  EXPECT_EQ(result.text, "Hello wor");
}

TEST(OpenAIGenerator, BrokenStreamAfterTextIsNotRetried) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    stream(res, {event(chunk({{"role", "assistant"}, {"content", "Partial answ"}}))}, End::kDrop, server.closing());
  });
  std::string message =
      error_of([&] { ragrt::make_openai_generator(params_for(server))->generate(ask("hi")); }, ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr("after 12 bytes"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(OpenAIGenerator, ConcurrentRequestsOnOneGenerator) {
  MockServer server([&](int, const httplib::Request& req, httplib::Response& res) {
    const std::string question = json::parse(req.body)["messages"][1]["content"];
    stream(res,
           {event(chunk({{"content", "echo "}})), event(chunk({{"content", question}}, "stop")), "data: [DONE]\n\n"},
           End::kClose, server.closing());
  });
  auto gen = ragrt::make_openai_generator(params_for(server));
  std::vector<std::string> answers(6);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < answers.size(); ++i)
    threads.emplace_back([&, i] { answers[i] = gen->generate(ask("q" + std::to_string(i))).text; });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < answers.size(); ++i) EXPECT_EQ(answers[i], "echo q" + std::to_string(i));
}

TEST(OpenAIGenerator, ErrorEventMidStreamIsReported) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    stream(res, {event(chunk({{"content", "Hi"}})), event({{"error", {{"message", "engine died"}, {"code", 500}}}})},
           End::kClose, server.closing());
  });
  std::string message = error_of([&] { ragrt::make_openai_generator(params_for(server))->generate(ask("hi")); },
                                 ragrt::ErrorKind::kRuntime);
  EXPECT_THAT(message, HasSubstr("engine died"));
}

TEST(OpenAIGenerator, OversizedResponseIsAnIoError) {
  MockServer server([&](int, const httplib::Request&, httplib::Response& res) {
    std::vector<std::string> writes;
    for (int i = 0; i < 50; ++i) writes.push_back(event(chunk({{"content", std::string(100, 'x')}})));
    stream(res, writes, End::kClose, server.closing());
  });
  auto params = params_for(server);
  params.max_response_bytes = 1000;
  std::string message =
      error_of([&] { ragrt::make_openai_generator(params)->generate(ask("hi")); }, ragrt::ErrorKind::kIo);
  EXPECT_THAT(message, HasSubstr("max_response_bytes"));
}

}  // namespace
