// The `http` tool against a cpp-httplib server on 127.0.0.1 (ephemeral port, allowlisted as the IP
// literal): URL building and encoding, bodies and headers, the allowlist and internal-address
// rule, redirects, size cap, retries, timeouts, and secrets kept out of every message. Nothing
// reaches the network; every timeout is a fraction of a second.
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
#include "tools/http_tool.h"
#include "tools/tool_test_util.h"

namespace {

using json = nlohmann::json;
using ragrt::ToolStatus;
using ragrt::testing::load_error;
using ragrt::testing::load_tools;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

struct Seen {
  std::string method, target, body, authorization;
};

class Server : public ragrt::testing::LoopbackServer<Seen> {
 public:
  explicit Server(Handler handler) : LoopbackServer(&record, std::move(handler)) {}
  // Always the same answer: `status`, a JSON `body` unless empty, a Retry-After header unless empty.
  Server(int status, std::string body, std::string retry_after = {})
      : Server([=](int, const httplib::Request&, httplib::Response& res) {
          res.status = status;
          if (!body.empty()) res.set_content(body, "application/json");
          if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
        }) {}
  std::vector<Seen> seen() const { return requests(); }

 private:
  static Seen record(const httplib::Request& req) {
    return {req.method, req.target, req.body, req.get_header_value("Authorization")};
  }
};

// A tools: section with one http tool `t`; `extra` lines go under it.
std::string tool_yaml(int port, const std::string& extra, const std::string& url_path = "/orders/{order_id}",
                      const std::string& allow = "[127.0.0.1]") {
  return fmt::format(R"(
tools:
  t:
    type: http
    description: "Order status by order number."
    parameters:
      type: object
      properties:
        order_id: {{type: string, pattern: "^[a-z0-9/. ]+$"}}
        lang: {{type: string}}
        qty: {{type: integer}}
      required: [order_id]
    url: "http://127.0.0.1:{}{}"
    allow_hosts: {}
    timeout_s: 2
    retries: 0
    retry_backoff_s: 0.01
{})",
                     port, url_path, allow, extra);
}

ragrt::ToolResult call_tool(const std::string& yaml, const json& args, const ragrt::ToolCallOptions& options = {}) {
  auto tools = load_tools(yaml);
  return tools.find("t")->call(args, options);
}

std::string with_retries(std::string yaml, int n) {
  return yaml.replace(yaml.find("retries: 0"), 10, "retries: " + std::to_string(n));
}

// Order "1" from `server`'s tool with `retries`.
ragrt::ToolResult call_retrying(const Server& server, int retries) {
  return call_tool(with_retries(tool_yaml(server.port(), ""), retries), {{"order_id", "1"}});
}

void reply_json(httplib::Response& res, const json& j) { res.set_content(j.dump(), "application/json"); }

TEST(HttpTool, GetEncodesArgumentsIntoOnePathSegment) {
  Server server([](int, const httplib::Request&, httplib::Response& res) { reply_json(res, {{"status", "shipped"}}); });
  const std::string yaml = tool_yaml(server.port(), "    query: {lang: \"{lang}\", v: \"2\"}");
  auto r = call_tool(yaml, {{"order_id", "a/../b"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.data, json({{"status", "shipped"}}));
  EXPECT_EQ(r.content, R"({"status":"shipped"})");
  EXPECT_EQ(r.attempts, 1u);
  auto r2 = call_tool(yaml, {{"order_id", ".."}, {"lang", "de fr&x=1"}});
  ASSERT_TRUE(r2.ok()) << r2.content;
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/orders/a%2F..%2Fb?v=2");  // lang absent: left out
  EXPECT_EQ(seen[1].target, "/orders/%2E%2E?lang=de%20fr%26x%3D1&v=2");
}

TEST(HttpTool, PostSendsArgumentsAsJsonWithConfiguredHeaders) {
  ::setenv("RAGRT_TEST_ORDER_KEY", "sk-test-1234567890", 1);
  Server server([](int, const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") != "Bearer sk-test-1234567890") {
      res.status = 401;
      // A server that echoes the credential it rejected.
      res.set_content("bad credentials: " + req.get_header_value("Authorization"), "text/plain");
      return;
    }
    res.set_content("created order " + json::parse(req.body)["order_id"].get<std::string>(), "text/plain");
  });
  const std::string headers = "    method: POST\n    headers: {Authorization: \"Bearer ${RAGRT_TEST_ORDER_KEY}\"}";
  auto tools = load_tools(tool_yaml(server.port(), headers, "/orders"));
  auto r = tools.find("t")->call({{"order_id", "12345"}, {"qty", 2}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.content, "created order 12345");
  EXPECT_EQ(r.data, "created order 12345");
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(json::parse(seen[0].body), json({{"order_id", "12345"}, {"qty", 2}}));

  auto* http = dynamic_cast<const ragrt::tools::HttpTool*>(tools.find("t").get());
  ASSERT_TRUE(http);
  EXPECT_THAT(http->secrets(), ::testing::Contains("sk-test-1234567890"));

  // The same server, a wrong key: the failure quotes the body, never the secret.
  ::setenv("RAGRT_TEST_ORDER_KEY", "sk-wrong-0987654321", 1);
  auto failed = call_tool(tool_yaml(server.port(), headers, "/orders"), {{"order_id", "12345"}});
  EXPECT_EQ(failed.status, ToolStatus::kFailed);
  EXPECT_EQ(failed.http_status, 401);
  EXPECT_THAT(failed.content, HasSubstr("HTTP 401 from 127.0.0.1: bad credentials: Bearer [redacted]"));
  EXPECT_THAT(failed.content, Not(HasSubstr("sk-wrong")));
  ::unsetenv("RAGRT_TEST_ORDER_KEY");
}

TEST(HttpTool, InvalidArgumentsSendNothing) {
  Server server([](int, const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  auto missing = call_tool(tool_yaml(server.port(), ""), json::object());
  EXPECT_EQ(missing.status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(missing.content, "argument 'order_id' is required.");
  auto wrong = call_tool(tool_yaml(server.port(), ""), {{"order_id", "ABC?"}, {"qty", "two"}});
  EXPECT_EQ(wrong.status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(wrong.content, "argument 'order_id' must match ^[a-z0-9/. ]+$; argument 'qty' must be an integer, got \"two\".");
  EXPECT_TRUE(server.seen().empty());
}

TEST(HttpTool, HostNotOnAllowlistIsRefusedWithoutARequest) {
  Server server([](int, const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  auto r = call_tool(tool_yaml(server.port(), "", "/orders/{order_id}", "[api.example.com, \"*.example.org\"]"), {{"order_id", "1"}});
  EXPECT_EQ(r.status, ToolStatus::kRefused);
  EXPECT_EQ(r.content, "host '127.0.0.1' is not on this tool's allow_hosts; the call was not made");
  EXPECT_EQ(r.attempts, 0u);
  EXPECT_TRUE(server.seen().empty());
}

// A host name on the list does not vouch for the internal address it resolves to; the IP literal does.
TEST(HttpTool, InternalAddressNeedsItsIpOnTheList) {
  Server server([](int, const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  std::string yaml = tool_yaml(server.port(), "", "/x/{order_id}", "[localhost]");
  const std::string from = "http://127.0.0.1:", to = "http://localhost:";
  yaml.replace(yaml.find(from), from.size(), to);
  auto r = call_tool(yaml, {{"order_id", "1"}});
  EXPECT_EQ(r.status, ToolStatus::kRefused);
  EXPECT_THAT(r.content, HasSubstr("host 'localhost' resolved to the internal address"));
  EXPECT_TRUE(server.seen().empty());

  yaml.replace(yaml.find("[localhost]"), 11, "[localhost, 127.0.0.1, \"::1\"]");
  auto allowed = call_tool(yaml, {{"order_id", "1"}});
  EXPECT_TRUE(allowed.ok()) << allowed.content;
}

TEST(HttpTool, RedirectsAreFollowedAndRechecked) {
  Server server([](int, const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/orders/here") {
      res.set_redirect("/final");
    } else if (req.path == "/orders/away") {
      res.set_redirect("http://evil.example.com/steal");
    } else if (req.path == "/orders/scheme") {
      res.set_redirect("file:///etc/passwd");
    } else if (req.path.starts_with("/orders/loop") || req.path.starts_with("/loop")) {
      res.set_redirect("/loop" + std::to_string(req.path.size()));
    } else {
      reply_json(res, {{"at", req.path}});
    }
  });
  const std::string yaml = tool_yaml(server.port(), "");
  auto here = call_tool(yaml, {{"order_id", "here"}});
  ASSERT_TRUE(here.ok()) << here.content;
  EXPECT_EQ(here.data, json({{"at", "/final"}}));

  auto away = call_tool(yaml, {{"order_id", "away"}});
  EXPECT_EQ(away.status, ToolStatus::kRefused);
  EXPECT_EQ(away.content, "the server redirected to host 'evil.example.com', which is not on this tool's allow_hosts");

  auto scheme = call_tool(yaml, {{"order_id", "scheme"}});
  EXPECT_EQ(scheme.status, ToolStatus::kRefused);
  EXPECT_THAT(scheme.content, HasSubstr("only http and https"));

  auto loop = call_tool(yaml, {{"order_id", "loop"}});
  EXPECT_EQ(loop.status, ToolStatus::kFailed);
  EXPECT_EQ(loop.content, "127.0.0.1 redirected more than 3 times");
  EXPECT_EQ(server.seen().size(), 2u + 1u + 1u + 4u);
}

TEST(HttpTool, OversizedResponseIsRefused) {
  Server server([](int, const httplib::Request& req, httplib::Response& res) {
    const std::string big(100000, 'x');
    if (req.path == "/orders/chunked") {
      // No Content-Length: the cap applies while reading.
      res.set_chunked_content_provider("text/plain", [big](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 10; ++i) sink.write(big.data(), big.size());
        sink.done();
        return true;
      });
    } else {
      res.set_content(big, "text/plain");
    }
  });
  const std::string yaml = tool_yaml(server.port(), "    max_response_bytes: 1000");
  for (const char* id : {"plain", "chunked"}) {
    auto r = call_tool(yaml, {{"order_id", id}});
    EXPECT_EQ(r.status, ToolStatus::kRefused) << id;
    EXPECT_EQ(r.content, "the response from 127.0.0.1 is larger than 1000 bytes (max_response_bytes) and was not read");
    EXPECT_TRUE(r.data.is_null());
  }
}

TEST(HttpTool, RetriesTransientFailures) {
  Server server([](int hit, const httplib::Request&, httplib::Response& res) {
    if (hit < 2) {
      res.status = 503;
      res.set_content("busy", "text/plain");
    } else {
      reply_json(res, {{"ok", true}});
    }
  });
  auto r = call_retrying(server, 2);
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_EQ(server.seen().size(), 3u);

  Server always(500, R"({"error": "boom"})");
  auto failed = call_retrying(always, 1);
  EXPECT_EQ(failed.status, ToolStatus::kFailed);
  EXPECT_EQ(failed.content, "HTTP 500 from 127.0.0.1 (2 attempts): {\"error\": \"boom\"}");
  EXPECT_EQ(failed.http_status, 500);

  // A 404 is an answer, not a blip.
  Server missing(404, "");
  auto not_found = call_retrying(missing, 3);
  EXPECT_EQ(not_found.status, ToolStatus::kFailed);
  EXPECT_EQ(not_found.attempts, 1u);
}

TEST(HttpTool, RetryAfterIsHonoured) {
  Server server([](int hit, const httplib::Request&, httplib::Response& res) {
    if (hit == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
    } else {
      reply_json(res, {{"ok", true}});
    }
  });
  const auto t0 = Clock::now();
  auto r = call_retrying(server, 1);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.attempts, 2u);
  EXPECT_GE(s, 0.95);
  EXPECT_LT(s, 1.9);

  // Longer than the cap: no retry, the message says when.
  Server quota(429, "", "3600");
  auto later = call_retrying(quota, 2);
  EXPECT_EQ(later.status, ToolStatus::kFailed);
  EXPECT_EQ(later.content, "HTTP 429 from 127.0.0.1, retry after 3600 s");
  EXPECT_EQ(later.attempts, 1u);
}

TEST(HttpTool, TimeoutFailsWithinBounds) {
  std::atomic<bool> stop{false};
  Server server([&](int, const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 100 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    reply_json(res, {{"late", true}});
  });
  std::string yaml = tool_yaml(server.port(), "");
  yaml.replace(yaml.find("timeout_s: 2"), 12, "timeout_s: 0.2");
  const auto t0 = Clock::now();
  auto r = call_tool(yaml, {{"order_id", "1"}});
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  stop = true;
  EXPECT_EQ(r.status, ToolStatus::kFailed);
  EXPECT_EQ(r.content, "the request to 127.0.0.1 timed out after 0.2 s");
  EXPECT_EQ(r.outcome, ragrt::ToolOutcome::kTimeout);
  EXPECT_GE(s, 0.18);
  EXPECT_LT(s, 0.9);
}

TEST(HttpTool, UnreachablePortFails) {
  const auto t0 = Clock::now();
  auto r = call_tool(with_retries(tool_yaml(ragrt::testing::unused_loopback_port(), ""), 1), {{"order_id", "1"}});
  EXPECT_EQ(r.status, ToolStatus::kFailed);
  EXPECT_THAT(r.content, HasSubstr("could not connect to 127.0.0.1 (2 attempts)"));
  EXPECT_EQ(r.attempts, 2u);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 1.0);
}

// Tool::call (not ToolSet) keeps the service's words in content; the outcome says what they mean.
TEST(HttpTool, StatusesAndTransportErrorsHaveOutcomes) {
  using ragrt::ToolOutcome;
  const std::vector<std::pair<int, ToolOutcome>> cases = {
      {200, ToolOutcome::kOk},          {404, ToolOutcome::kNotFound},    {410, ToolOutcome::kNotFound},
      {400, ToolOutcome::kInvalidArgument}, {422, ToolOutcome::kInvalidArgument}, {401, ToolOutcome::kRefused},
      {403, ToolOutcome::kRefused},     {504, ToolOutcome::kTimeout},     {500, ToolOutcome::kUnavailable},
      {503, ToolOutcome::kUnavailable}, {418, ToolOutcome::kUnavailable}};
  for (const auto& [status, outcome] : cases) {
    Server server(status, R"({"error": "x"})");
    EXPECT_EQ(call_tool(tool_yaml(server.port(), ""), {{"order_id", "1"}}).outcome, outcome) << status;
  }
  EXPECT_EQ(call_tool(tool_yaml(ragrt::testing::unused_loopback_port(), ""), {{"order_id", "1"}}).outcome,
            ToolOutcome::kUnavailable);
  EXPECT_EQ(call_tool(tool_yaml(8080, "", "/orders/{order_id}", "[example.com]"), {{"order_id", "1"}}).outcome,
            ToolOutcome::kRefused);
}

TEST(HttpTool, TextBodiesAreValidUtf8) {
  Server server([](int, const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string("caf\xc3\xa9 \xff ok"), "text/plain");
  });
  auto r = call_tool(tool_yaml(server.port(), ""), {{"order_id", "1"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.content, "café \xEF\xBF\xBD ok");
}

TEST(HttpTool, ConfigMistakesNameTheLine) {
  EXPECT_THAT(load_error(tool_yaml(8080, "    colour: red")), HasSubstr("tools.yaml:18:5: tools.t.colour: unknown key"));
  EXPECT_THAT(load_error(tool_yaml(8080, "", "/orders/{order}")),
              HasSubstr("tools.yaml:13:10: tools.t.url: {order} is not a property of parameters"));
  EXPECT_THAT(load_error(tool_yaml(8080, "", "/orders/{lang}")), HasSubstr("{lang} must be a required parameter"));
  EXPECT_THAT(load_error(tool_yaml(8080, "", "/x", "[\"http://api.example.com/\"]")),
              HasSubstr("tools.yaml:14:18: tools.t.allow_hosts: 'http://api.example.com/' is not a host name"));
  EXPECT_THAT(load_error(tool_yaml(8080, "    method: FETCH")), HasSubstr("tools.t.method: must be GET, POST, PUT, PATCH or DELETE"));
  EXPECT_THAT(load_error(tool_yaml(8080, "    body: auto")), HasSubstr("tools.t.body: GET requests carry no body"));
  EXPECT_THAT(load_error(tool_yaml(8080, "    headers: {X-Key: \"${RAGRT_TEST_UNSET_VARIABLE}\"}")),
              HasSubstr("environment variable RAGRT_TEST_UNSET_VARIABLE is not set"));
  std::string no_hosts = tool_yaml(8080, "");
  no_hosts.erase(no_hosts.find("    allow_hosts"), no_hosts.find("    timeout_s") - no_hosts.find("    allow_hosts"));
  EXPECT_THAT(load_error(no_hosts), HasSubstr("tools.t.allow_hosts: missing"));
  std::string in_host = tool_yaml(8080, "");
  in_host.replace(in_host.find("127.0.0.1:8080"), 14, "{order_id}.example.com");
  EXPECT_THAT(load_error(in_host), HasSubstr("arguments may only fill the path and query"));
}

TEST(HostPolicy, InternalAddresses) {
  using ragrt::tools::HostPolicy;
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                         "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1",
                         "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "ff02::1"}) {
    EXPECT_TRUE(HostPolicy::is_internal(*HostPolicy::parse_ip(ip))) << ip;
  }
  for (const char* ip : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_FALSE(HostPolicy::is_internal(*HostPolicy::parse_ip(ip))) << ip;
  }
  HostPolicy policy({"api.example.com", "*.example.org", "10.0.0.5", "[::1]"});
  EXPECT_TRUE(policy.host_allowed("API.example.com."));
  EXPECT_TRUE(policy.host_allowed("a.b.example.org"));
  EXPECT_FALSE(policy.host_allowed("example.org"));
  EXPECT_FALSE(policy.host_allowed("evilexample.org"));
  EXPECT_FALSE(policy.host_allowed("api.example.com.evil.net"));
  EXPECT_TRUE(policy.host_allowed("[::1]"));
  EXPECT_TRUE(policy.address_allowed(*HostPolicy::parse_ip("10.0.0.5")));
  EXPECT_TRUE(policy.address_allowed(*HostPolicy::parse_ip("::ffff:10.0.0.5")));  // the same address, mapped
  EXPECT_FALSE(policy.address_allowed(*HostPolicy::parse_ip("10.0.0.6")));
  EXPECT_TRUE(policy.address_allowed(*HostPolicy::parse_ip("93.184.216.34")));
}

}  // namespace
