// ragrt-order-service, the customer-service example's order-status API, as its own process: started
// on a free loopback port with a database seeded from examples/customer-service/data/customers.sql,
// asked over HTTP, stopped with SIGTERM. And the seeded database read by the `sql` tool.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "test_helpers.h"
#include "examples/order_service_process.h"
#include "tools/tool_test_util.h"

namespace {

namespace fs = std::filesystem;
using ragrt::testing::OrderServiceProcess;
using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ragrt::testing::read_file;

const fs::path kSeed = fs::path(RAGRT_SOURCE_DIR) / "examples" / "customer-service" / "data" / "customers.sql";

class OrderService : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ragrt_order_service_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    service_.reset();
    fs::remove_all(dir_);
  }

  // Starts the service on a free port with a database seeded on the way; returns the port.
  int start(std::vector<std::string> args = {}, const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = {"--db", db().string(), "--seed", kSeed.string(), "--port", "0",
                                    "--port-file", port_file().string()};
    all.insert(all.end(), args.begin(), args.end());
    service_ = std::make_unique<OrderServiceProcess>(dir_, all, env);
    int port = service_->wait_for_port(port_file());
    EXPECT_GT(port, 0) << service_->err();
    return port;
  }
  // A run expected to fail at startup: its exit status and stderr.
  std::pair<int, std::string> fail(const std::vector<std::string>& args) {
    OrderServiceProcess s(dir_, args);
    int status = s.wait();
    return {status, s.err()};
  }

  fs::path db() const { return dir_ / "orders.sqlite"; }
  fs::path port_file() const { return dir_ / "port"; }

  fs::path dir_;
  std::unique_ptr<OrderServiceProcess> service_;
};

TEST_F(OrderService, ServesAnOrderAsJson) {
  httplib::Client http("127.0.0.1", start());
  auto res = http.Get("/orders/12345");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const json order = json::parse(res->body);
  EXPECT_EQ(order["order_id"], "12345");
  EXPECT_EQ(order["status"], "in_transit");
  EXPECT_EQ(order["status_text"], "In transit with UPS, tracking 1Z999AA10123456784; estimated delivery 2026-11-27");
  EXPECT_EQ(order["carrier"], "UPS");
  EXPECT_EQ(order["tracking_number"], "1Z999AA10123456784");
  EXPECT_EQ(order["shipping_method"], "standard");
  EXPECT_EQ(order["placed_at"], "2026-11-23T09:42:00Z");
  EXPECT_EQ(order["shipped_at"], "2026-11-23T16:05:00Z");
  EXPECT_EQ(order["estimated_delivery"], "2026-11-27");
  EXPECT_TRUE(order["delivered_at"].is_null());
  EXPECT_EQ(order["items"], json::parse(R"([{"name": "Wireless headphones", "quantity": 1}])"));
  EXPECT_EQ(order["total"], "59.90 EUR");

  // The '#' customers write, as the http tool URL-encodes it; and an order not yet shipped.
  res = http.Get("/orders/%2312345");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["order_id"], "12345");
  res = http.Get("/orders/13579");
  ASSERT_TRUE(res);
  const json processing = json::parse(res->body);
  EXPECT_EQ(processing["status"], "processing");
  EXPECT_TRUE(processing["tracking_number"].is_null());
  EXPECT_THAT(processing["status_text"].get<std::string>(), HasSubstr("no tracking number yet"));
  res = http.Get("/orders/67890");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["status_text"], "Delivered by DHL on 2026-11-12, tracking 00340434161094042557");

  res = http.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
}

TEST_F(OrderService, AnswersUnknownAndMalformedIdsWithJsonErrors) {
  httplib::Client http("127.0.0.1", start());
  auto res = http.Get("/orders/99999");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body), json::parse(R"({"error": {"message": "no order 99999"}})"));
  for (const char* path : {"/orders/", "/orders/12%2045", "/orders/a_b", "/orders/123456789012345678901",
                           "/orders/12/34", "/orders/%2527%20OR%201=1"}) {
    res = http.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 400) << path;
    EXPECT_THAT(json::parse(res->body)["error"]["message"].get<std::string>(), HasSubstr("malformed order id"));
  }
  res = http.Get("/customers");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(json::parse(res->body)["error"]["message"].get<std::string>(), HasSubstr("no such endpoint"));
}

TEST_F(OrderService, RequiresTheApiKeyWhenItsVariableIsSet) {
  const std::string key = "k-3f9a0c";
  httplib::Client http("127.0.0.1", start({"--api-key-env", "RAGRT_TEST_ORDER_KEY"}, {"RAGRT_TEST_ORDER_KEY=" + key}));
  for (const auto& headers : std::vector<httplib::Headers>{
           {}, {{"Authorization", "Bearer wrong"}}, {{"X-Api-Key", key + "x"}}, {{"Authorization", key}}}) {
    auto res = http.Get("/orders/12345", headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_THAT(json::parse(res->body)["error"]["message"].get<std::string>(), HasSubstr("API key"));
    EXPECT_THAT(res->body, Not(HasSubstr(key)));
  }
  for (const auto& headers : std::vector<httplib::Headers>{{{"Authorization", "Bearer " + key}}, {{"X-Api-Key", key}}}) {
    auto res = http.Get("/orders/12345", headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
  }
  auto health = http.Get("/healthz");  // for probes that hold no key
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(service_->stop(), 0);
  EXPECT_THAT(service_->err(), HasSubstr("GET /orders/12345 401"));
  EXPECT_THAT(service_->err(), Not(HasSubstr(key)));
}

TEST_F(OrderService, StopsCleanlyOnSigtermAndLogsEachRequest) {
  const int port = start();
  httplib::Client http("127.0.0.1", port);
  ASSERT_TRUE(http.Get("/orders/12345"));
  ASSERT_TRUE(http.Get("/orders/99999"));
  EXPECT_EQ(service_->stop(SIGTERM), 0);
  EXPECT_EQ(service_->out(), "listening on http://127.0.0.1:" + std::to_string(port) + "\n");
  const std::string log = service_->err();
  EXPECT_THAT(log, HasSubstr("created " + db().string()));
  EXPECT_THAT(log, ::testing::ContainsRegex("GET /orders/12345 200 [0-9.]+ ms"));
  EXPECT_THAT(log, ::testing::ContainsRegex("GET /orders/99999 404 [0-9.]+ ms"));
  EXPECT_FALSE(fs::exists(port_file()));  // a stale port would send the next script to nothing
  EXPECT_TRUE(fs::exists(db()));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr(".tmp"))) << "left behind";
}

TEST_F(OrderService, KeepsAnExistingDatabase) {
  start();
  ASSERT_EQ(service_->stop(), 0);
  fs::copy_file(dir_ / "stderr.txt", dir_ / "first.txt");
  // A second start with --seed reads what is there instead of seeding again.
  start();
  ASSERT_EQ(service_->stop(), 0);
  EXPECT_THAT(read_file(dir_ / "first.txt"), HasSubstr("created"));
  EXPECT_THAT(service_->err(), Not(HasSubstr("created")));
}

TEST_F(OrderService, StartupMistakesSayWhatToDoAndExitWithStatus2) {
  auto [status, err] = fail({"--db", (dir_ / "missing.sqlite").string()});
  EXPECT_EQ(status, 2);
  EXPECT_THAT(err, HasSubstr("does not exist: give --seed"));

  std::tie(status, err) = fail({"--db", db().string(), "--seed", (dir_ / "nope.sql").string()});
  EXPECT_EQ(status, 2);
  EXPECT_THAT(err, HasSubstr("cannot read --seed"));
  EXPECT_FALSE(fs::exists(db()));

  // A script that breaks halfway leaves no database behind.
  std::ofstream(dir_ / "broken.sql") << "CREATE TABLE orders (order_id TEXT);\nINSERT INTO nowhere VALUES (1);\n";
  std::tie(status, err) = fail({"--db", db().string(), "--seed", (dir_ / "broken.sql").string()});
  EXPECT_EQ(status, 2);
  EXPECT_THAT(err, HasSubstr("no such table: nowhere"));
  EXPECT_FALSE(fs::exists(db()));

  std::ofstream(dir_ / "notes.txt") << "not a database";
  std::tie(status, err) = fail({"--db", (dir_ / "notes.txt").string()});
  EXPECT_EQ(status, 2);
  EXPECT_THAT(err, HasSubstr("is not an orders database"));

  // A port another server listens on.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string busy = std::to_string(ntohs(addr.sin_port));
  std::tie(status, err) = fail({"--db", db().string(), "--seed", kSeed.string(), "--port", busy});
  ::close(fd);
  EXPECT_EQ(status, 2);
  EXPECT_THAT(err, HasSubstr("cannot listen on 127.0.0.1:" + busy));
  EXPECT_THAT(err, HasSubstr("--port 0"));
}

// The `http` tool as the example's config declares it: loopback listed by address, the key in a
// header, the customer's '#' URL-encoded on the way.
TEST_F(OrderService, TheHttpToolReadsOrdersFromIt) {
  const std::string key = "k-77e1";
  const int port = start({"--api-key-env", "RAGRT_TEST_ORDER_KEY"}, {"RAGRT_TEST_ORDER_KEY=" + key});
  auto tools = ragrt::testing::load_tools(R"(
tools:
  order_status:
    type: http
    description: "Status, carrier, tracking number and estimated delivery of an order, by order number."
    parameters: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
    url: "http://127.0.0.1:)" + std::to_string(port) + R"(/orders/{order_id}"
    headers: {Authorization: "Bearer )" + key + R"("}
    allow_hosts: [127.0.0.1]
    retries: 0
)",
                                          dir_);
  auto r = tools.call("order_status", R"({"order_id": "#12345"})");
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.data["status"], "in_transit");
  EXPECT_EQ(r.data["tracking_number"], "1Z999AA10123456784");
  r = tools.call("order_status", R"({"order_id": "99999"})");
  EXPECT_EQ(r.status, ragrt::ToolStatus::kFailed);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.outcome, ragrt::ToolOutcome::kNotFound);
  EXPECT_THAT(r.detail, HasSubstr("no order 99999"));  // the service's words, for the operator
  EXPECT_THAT(r.content, ::testing::StartsWith("not_found: nothing matches order_id 99999."));
}

// The database the service seeds also serves the `sql` tool (read-only), while the service runs.
TEST_F(OrderService, SeededDatabaseServesTheSqlTool) {
  start();
  auto tools = ragrt::testing::load_tools(R"(
tools:
  customer_lookup:
    type: sql
    description: "A customer's name and tier by email address."
    database: orders.sqlite
    query: "SELECT name, tier FROM customers WHERE email = :email"
    parameters: {type: object, properties: {email: {type: string}}, required: [email]}
  orders_sql:
    type: sql
    description: "Read-only SQL over orders."
    database: orders.sqlite
    mode: read_only_query
    tables: [orders]
)",
                                          dir_);
  auto r = tools.call("customer_lookup", R"({"email": "alice@example.com"})");
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"], json::parse(R"([["Alice Martin", "gold"]])"));
  r = tools.call("customer_lookup", R"({"email": "wang.fang@example.com"})");
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"], json::parse(R"([["王芳", "silver"]])"));

  r = tools.call("orders_sql", R"({"sql": "SELECT status, count(*) FROM orders GROUP BY status ORDER BY status"})");
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"].size(), 8u);  // every status the shipping policy explains
  r = tools.call("orders_sql", R"({"sql": "SELECT email FROM customers"})");
  EXPECT_EQ(r.status, ragrt::ToolStatus::kRefused) << r.content;
  r = tools.call("orders_sql", R"({"sql": "DELETE FROM orders"})");
  EXPECT_EQ(r.status, ragrt::ToolStatus::kRefused) << r.content;

  httplib::Client http("127.0.0.1", service_->wait_for_port(port_file()));
  auto res = http.Get("/orders/12345");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

}  // namespace
