// The `sql` tool over a SQLite file built here: bound (never spliced) arguments, the row cap,
// the table allowlist of read_only_query mode, writes and second statements refused, the timeout,
// and config mistakes reported with their line and column.
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/sql_tool.h"
#include "tools/tool_test_util.h"

namespace {

using json = nlohmann::json;
using ragrt::ToolStatus;
using ::testing::HasSubstr;
using ragrt::testing::expect_refused;

class SqlToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ragrt_sql_tool_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "data");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "data/orders.sqlite").c_str(), &db), SQLITE_OK);
    const char* sql = R"(
      CREATE TABLE customers (customer_id TEXT PRIMARY KEY, name TEXT, tier TEXT, email TEXT);
      INSERT INTO customers VALUES ('c1', 'Ada', 'gold', 'ada@example.com'), ('c2', 'Bob', 'silver', 'bob@example.com');
      CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id TEXT, status TEXT, total REAL, note BLOB);
      INSERT INTO orders VALUES (10001, 'c1', 'shipped', 25.5, NULL), (10002, 'c1', 'pending', 9.99, x'0001'),
                                (10003, 'c2', 'delivered', 100, NULL), (10004, 'c2', 'cancelled', 0, NULL),
                                (10005, 'c2', 'shipped', 42, NULL);)";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ragrt::tools::ToolSet load(const std::string& yaml) { return ragrt::testing::load_tools(yaml, dir_); }
  std::string error(const std::string& yaml) { return ragrt::testing::load_error(yaml, dir_); }
  int64_t order_count() {
    sqlite3* db = nullptr;
    sqlite3_open((dir_ / "data/orders.sqlite").c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM orders", -1, &s, nullptr);
    sqlite3_step(s);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
  }

  std::filesystem::path dir_;
};

const char* kCustomerLookup = R"(
tools:
  customer_lookup:
    type: sql
    description: "A customer's name, tier and email by customer id."
    database: data/orders.sqlite
    query: "SELECT name, tier, email FROM customers WHERE customer_id = :customer_id"
    parameters: {type: object, properties: {customer_id: {type: string}}, required: [customer_id]}
    max_rows: 20
    timeout_s: 2
)";

const char* kOrdersSql = R"(
tools:
  orders_sql:
    type: sql
    description: "Read-only SQL over the orders table."
    database: data/orders.sqlite
    mode: read_only_query
    tables: [orders]
    max_rows: 3
    timeout_s: 0.2
)";

TEST_F(SqlToolTest, NamedQueryBindsArguments) {
  auto tools = load(kCustomerLookup);
  auto tool = tools.find("customer_lookup");
  ASSERT_TRUE(tool);
  // Bound as a value, an injection is just a customer id that does not exist.
  ragrt::testing::expect_customer_lookup(*tool, {"1 OR 1=1", "c1' OR '1'='1", "c1; DROP TABLE customers"});
}

TEST_F(SqlToolTest, RowCapSetsTruncated) {
  auto tools = load(kOrdersSql);
  auto r = tools.find("orders_sql")->call({{"sql", "SELECT order_id, status, total, note FROM orders ORDER BY order_id"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"].size(), 3u);
  EXPECT_EQ(r.data["truncated"], true);
  EXPECT_EQ(r.data["rows"][0], json({10001, "shipped", 25.5, nullptr}));
  EXPECT_EQ(r.data["rows"][1][3], "[blob, 2 bytes]");
  EXPECT_THAT(r.content, HasSubstr("\"truncated\":true"));

  auto exact = tools.find("orders_sql")->call({{"sql", "SELECT order_id FROM orders WHERE order_id > 10002"}});
  ASSERT_TRUE(exact.ok()) << exact.content;
  EXPECT_EQ(exact.data["rows"].size(), 3u);
  EXPECT_EQ(exact.data["truncated"], false);
}

TEST_F(SqlToolTest, ReadOnlyQueryModeReadsListedTables) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  // The model learns the columns from the schema's description.
  const auto& sql = tool->spec().parameters["properties"]["sql"];
  EXPECT_THAT(sql["description"].get<std::string>(), HasSubstr("orders(order_id, customer_id, status, total, note)"));
  EXPECT_EQ(tool->spec().parameters["required"], json({"sql"}));

  auto r = tool->call({{"sql", "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status;"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["columns"], json({"status", "n"}));
  auto cte = tool->call({{"sql", "WITH big AS (SELECT * FROM orders WHERE total > 40) SELECT count(*) FROM big -- done"}});
  ASSERT_TRUE(cte.ok()) << cte.content;
  EXPECT_EQ(cte.data["rows"], json({{2}}));
  auto syntax = tool->call({{"sql", "SELEC * FROM orders"}});
  EXPECT_EQ(syntax.status, ToolStatus::kFailed);
  EXPECT_THAT(syntax.content, HasSubstr("SQL error"));
  EXPECT_EQ(tool->call({{"sql", 5}}).status, ToolStatus::kInvalidArguments);
}

TEST_F(SqlToolTest, OtherTablesAreRefused) {
  auto tools = load(kOrdersSql);
  expect_refused(*tools.find("orders_sql"),
                 {"SELECT * FROM customers", "SELECT o.order_id, c.email FROM orders o JOIN customers c USING (customer_id)",
                  "SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM customers)",
                  "WITH orders AS (SELECT * FROM customers) SELECT * FROM orders"},
                 "table 'customers' may not be read by this tool (allowed: orders)");
  expect_refused(*tools.find("orders_sql"), {"SELECT * FROM sqlite_master", "SELECT sql FROM sqlite_schema", "SELECT * FROM temp.sqlite_master"},
                 "may not be read by this tool");
}

TEST_F(SqlToolTest, WritesAndOtherStatementsAreRefused) {
  auto tools = load(kOrdersSql);
  expect_refused(*tools.find("orders_sql"),
                 {"INSERT INTO orders (order_id) VALUES (1)", "DELETE FROM orders", "UPDATE orders SET status = 'x'",
                  "DROP TABLE orders", "CREATE TABLE t (x)", "ATTACH DATABASE ':memory:' AS other", "PRAGMA table_info(orders)",
                  "PRAGMA query_only=0", "BEGIN", "VACUUM", "REPLACE INTO orders (order_id) VALUES (10001)"},
                 "only");
  EXPECT_EQ(order_count(), 5);
}

TEST_F(SqlToolTest, OnlyOneStatement) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  expect_refused(*tool, {"SELECT 1 FROM orders; DELETE FROM orders", "SELECT * FROM orders; SELECT * FROM orders", "SELECT 1; SELECT * FROM customers"},
                 "only one SELECT statement is allowed");
  EXPECT_TRUE(tool->call({{"sql", "SELECT 1 FROM orders;  ;\n-- trailing comment"}}).ok());
  EXPECT_EQ(tool->call({{"sql", "  ;"}}).status, ToolStatus::kInvalidArguments);
  EXPECT_EQ(order_count(), 5);
}

TEST_F(SqlToolTest, LongQueryTimesOut) {
  auto tools = load(kOrdersSql);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = tools.find("orders_sql")->call(
      {{"sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, ToolStatus::kFailed);
  EXPECT_EQ(r.content, "query timed out after 0.2 s");
  EXPECT_LT(s, 1.5);
  // The caller's budget wins when smaller.
  ragrt::ToolCallOptions options;
  options.timeout = std::chrono::milliseconds(50);
  auto sooner = tools.find("orders_sql")->call(
      {{"sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}}, options);
  EXPECT_EQ(sooner.content, "query timed out after 0.05 s");
  // The connection is usable afterwards.
  EXPECT_TRUE(tools.find("orders_sql")->call({{"sql", "SELECT 1 FROM orders"}}).ok());
}

TEST_F(SqlToolTest, ConcurrentCalls) {
  auto tools = load(kCustomerLookup);
  auto tool = tools.find("customer_lookup");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 30; ++i) ok += tool->call({{"customer_id", i % 2 ? "c1" : "c2"}}).data["rows"].size() == 1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 180);
}

// A tools: section with one sql tool `t`; `lines` start at line 7.
std::string entry(const std::string& lines, const std::string& database = "data/orders.sqlite") {
  return "\ntools:\n  t:\n    type: sql\n    description: d\n    database: " + database + "\n" + lines;
}

TEST_F(SqlToolTest, ConfigMistakesNameTheLine) {
  EXPECT_THAT(error(entry("    query: \"SELECT 1\"\n    colour: red\n")), HasSubstr("tools.yaml:8:5: tools.t.colour: unknown key"));
  EXPECT_THAT(error(entry(R"(    query: "SELECT name FROM customers WHERE customer_id = :id"
    parameters: {type: object, properties: {customer_id: {type: string}}}
)")),
              HasSubstr("tools.yaml:7:12: tools.t.query: :id is not a property of parameters (properties: customer_id)"));
  EXPECT_THAT(error(entry(R"(    query: "SELECT name FROM customers WHERE customer_id = :customer_id"
    parameters: {type: object, properties: {customer_id: {type: string}, extra: {type: string}}}
)")),
              HasSubstr("tools.yaml:8:17: tools.t.parameters: property 'extra' is not a parameter of the query"));
  EXPECT_THAT(error(entry("    query: \"SELECT nope FROM customers\"\n")),
              HasSubstr("tools.yaml:7:12: tools.t.query: does not compile: no such column: nope"));
  EXPECT_THAT(error(entry("    query: \"DELETE FROM customers\"\n")),
              HasSubstr("tools.t.query: does not compile: only SELECT is allowed (DELETE is not)"));
  EXPECT_THAT(error(entry("    query: \"SELECT * FROM customers WHERE customer_id = ?\"\n")), HasSubstr("positional parameter"));
  EXPECT_THAT(error(entry("    query: \"SELECT 1\"\n", "data/missing.sqlite")),
              HasSubstr("tools.yaml:6:15: tools.t.database: no database file at"));
  EXPECT_THAT(error(entry("    mode: read_only_query\n    tables: [orders, invoices]\n")),
              HasSubstr("tools.yaml:8:22: tools.t.tables: no table 'invoices' in the database"));
  EXPECT_THAT(error(entry("    mode: read_only_query\n    tables: [orders]\n    query: \"SELECT 1\"\n")),
              HasSubstr("tools.t.query: not used with mode: read_only_query"));
  EXPECT_THAT(error(entry(R"(    query: "SELECT name FROM customers WHERE customer_id = :customer_id"
    parameters:
      type: object
      properties:
        customer_id: {type: string, oneOf: []}
)")),
              HasSubstr("tools.yaml:11:37: tools.t.parameters.properties.customer_id.oneOf: unsupported JSON Schema keyword"));
}

TEST_F(SqlToolTest, NotADatabaseIsAConfigError) {
  std::ofstream(dir_ / "data/text.sqlite") << "this is not a database file, just some text that is long enough";
  EXPECT_THAT(error(entry("    query: \"SELECT 1\"\n", "data/text.sqlite")), HasSubstr("tools.t.database: cannot open database"));
}

}  // namespace
