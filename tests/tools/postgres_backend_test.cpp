// The `sql` tool over PostgreSQL: a throwaway PostgreSQL server per test suite (initdb in a temp
// folder, a unix socket there and a loopback TCP port with a password), loaded through ToolSet
// from YAML as a config would. Bound arguments, the :name scanner, cell types, the row cap, the
// read-only transaction, statement timeout and cancel, the table and function checks of
// read_only_query mode, the role, reconnecting, and the password kept out of every message.
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/trace.h"
#include "tools/pg_sql_scan.h"
#include "tools/sql_tool.h"
#include "tools/tool_test_util.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ragrt::ToolStatus;
using ::testing::HasSubstr;
using ragrt::testing::expect_refused;
using ::testing::Not;

constexpr const char* kPassword = "S3cret-Pa55word-xyz";

// Runs a shell command, its output appended to `log`; true when it exits 0.
bool shell(const std::string& cmd, const fs::path& log) {
  return std::system((cmd + " >>" + ragrt::testing::shell_quote(log.string()) + " 2>&1").c_str()) == 0;
}

std::string server_bindir() {
  std::string out;
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (!out.empty() && fs::exists(fs::path(out) / "initdb")) return out;
  for (const char* dir : {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (fs::exists(fs::path(dir) / "initdb")) return dir;
  }
  return "";
}

// One PostgreSQL server in a temp folder: role `app` (password kPassword) owns database `shop`;
// the superuser `postgres` reaches it over the unix socket without a password.
class PgServer {
 public:
  // "" when it runs, else why it cannot here (the tests skip with it); a server that should have
  // started and did not is failure().
  std::string start() {
    const std::string bindir = server_bindir();
    if (bindir.empty()) return "no PostgreSQL server binaries (initdb, pg_ctl): install the postgresql package";
    std::string as;  // initdb and postgres refuse to run as root
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (!pw || !fs::exists("/usr/sbin/runuser")) return "running as root without a postgres user and runuser to start the server as";
      as = "runuser -u postgres -- ";
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
    }
    char tmpl[] = "/tmp/ragrt_pg_XXXXXX";
    if (!::mkdtemp(tmpl)) return "cannot create a temp folder";
    dir_ = tmpl;
    if (uid_ != static_cast<uid_t>(-1) && ::chown(dir_.c_str(), uid_, gid_) != 0) return "cannot hand the temp folder to postgres";
    log_ = dir_ / "setup.log";
    auto q = [](const fs::path& p) { return ragrt::testing::shell_quote(p.string()); };
    as = "cd " + q(dir_) + " && " + as;  // the test's own folder may be closed to the postgres user
    pg_ctl_ = as + q(fs::path(bindir) / "pg_ctl") + " -D " + q(dir_ / "data");
    if (!shell(as + q(fs::path(bindir) / "initdb") + " -D " + q(dir_ / "data") +
                   " -U postgres -E UTF8 --locale=C --no-sync --auth-local=trust --auth-host=scram-sha-256",
               log_)) {
      failure_ = "initdb failed: " + ragrt::testing::read_file(log_);
      return "";
    }
    for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
      port_ = ragrt::testing::unused_loopback_port();
      const std::string options = "-p " + std::to_string(port_) + " -k " + dir_.string() +
                                  " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
      running_ = shell(pg_ctl_ + " -l " + q(dir_ / "server.log") + " -w -t 30 -o " + ragrt::testing::shell_quote(options) + " start", log_);
    }
    if (!running_) {
      failure_ = "the server did not start: " + ragrt::testing::read_file(dir_ / "server.log");
      return "";
    }
    std::string error = admin("postgres", std::string("CREATE ROLE app LOGIN PASSWORD '") + kPassword + "'");
    if (error.empty()) error = admin("postgres", "CREATE DATABASE shop OWNER app");  // not in a transaction block
    if (error.empty()) error = admin("shop", kSchema);
    if (!error.empty()) failure_ = "setting up the test database: " + error;
    return "";
  }
  const std::string& failure() const { return failure_; }

  void stop() {
    if (running_) shell(pg_ctl_ + " -m immediate stop", log_);
    running_ = false;
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs `sql` as the superuser; "" or the error.
  std::string admin(const std::string& db, const std::string& sql) const {
    PGconn* c = PQconnectdb(("host=" + dir_.string() + " port=" + std::to_string(port_) + " user=postgres dbname=" + db).c_str());
    std::string error;
    if (PQstatus(c) != CONNECTION_OK) {
      error = PQerrorMessage(c);
    } else {
      PGresult* r = PQexec(c, sql.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
      PQclear(r);
    }
    PQfinish(c);
    return error;
  }

  // The first cell of `sql`, as the superuser.
  std::string value(const std::string& sql) const {
    PGconn* c = PQconnectdb(("host=" + dir_.string() + " port=" + std::to_string(port_) + " user=postgres dbname=shop").c_str());
    PGresult* r = PQexec(c, sql.c_str());
    std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    return out;
  }

  std::string dsn(const std::string& password = kPassword) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=shop user=app password=" + password;
  }
  std::string url() const { return "postgresql://app:" + std::string(kPassword) + "@127.0.0.1:" + std::to_string(port_) + "/shop"; }
  int port() const { return port_; }

 private:
  // Owned by app, who may write, so that the read-only lock is the tool's, not a missing grant.
  static constexpr const char* kSchema = R"(
    ALTER SCHEMA public OWNER TO app;
    SET ROLE app;
    CREATE TABLE customers (customer_id text PRIMARY KEY, name text, tier text, email text);
    INSERT INTO customers VALUES ('c1', 'Ada', 'gold', 'ada@example.com'), ('c2', 'Bob', 'silver', 'bob@example.com');
    CREATE TABLE orders (order_id integer PRIMARY KEY, customer_id text, status text, total numeric(10,2),
                         paid boolean, weight_kg double precision, details jsonb, "odd:name" text);
    INSERT INTO orders VALUES
      (10001, 'c1', 'shipped', 25.50, true, 1.25, '{"items": [1, 2]}', 'x'),
      (10002, 'c1', 'pending', 9.99, false, NULL, NULL, NULL),
      (10003, 'c2', 'delivered', 100, true, 0.5, '{"gift": true}', NULL),
      (10004, 'c2', 'cancelled', 0, false, NULL, NULL, NULL),
      (10005, 'c2', 'shipped', 42, true, 3, NULL, NULL);
    CREATE VIEW customer_emails AS SELECT customer_id, email FROM customers;
    CREATE SEQUENCE ticket_seq;
    CREATE FUNCTION leak(orders) RETURNS text LANGUAGE sql AS $$SELECT email FROM customers LIMIT 1$$;
    CREATE FUNCTION email_of(text) RETURNS text LANGUAGE sql STABLE AS $$SELECT email FROM customers WHERE customer_id = $1$$;
    CREATE FUNCTION bump() RETURNS integer LANGUAGE sql AS $$UPDATE orders SET status = 'bumped' RETURNING 1$$;
    RESET ROLE;
    CREATE ROLE orders_reader NOLOGIN;
    GRANT SELECT ON orders TO orders_reader;
    GRANT orders_reader TO app;)";

  fs::path dir_, log_;
  std::string pg_ctl_, failure_;
  int port_ = 0;
  bool running_ = false;
  uid_t uid_ = static_cast<uid_t>(-1);
  gid_t gid_ = static_cast<gid_t>(-1);
};

class PostgresBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new PgServer;
    skip_ = server_->start();
    if (skip_.empty() && server_->failure().empty()) ::setenv("RAGRT_TEST_PG_DSN", server_->dsn().c_str(), 1);
  }
  static void TearDownTestSuite() {
    server_->stop();
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_EQ(server_->failure(), "");
  }

  ragrt::tools::ToolSet load(const std::string& yaml) { return ragrt::testing::load_tools(yaml); }
  std::string error(const std::string& yaml) { return ragrt::testing::load_error(yaml); }
  int order_count() { return std::stoi(server_->value("SELECT count(*) FROM orders WHERE status <> 'bumped'")); }

  static PgServer* server_;
  static std::string skip_;
};

PgServer* PostgresBackendTest::server_ = nullptr;
std::string PostgresBackendTest::skip_;

const char* kCustomerLookup = R"(
tools:
  customer_lookup:
    type: sql
    description: "A customer's name, tier and email by customer id."
    dsn: ${RAGRT_TEST_PG_DSN}
    query: "SELECT name, tier, email FROM customers WHERE customer_id = :customer_id"
    parameters: {type: object, properties: {customer_id: {type: string}}, required: [customer_id]}
)";

const char* kOrdersSql = R"(
tools:
  orders_sql:
    type: sql
    description: "Read-only SQL over the orders table."
    dsn: ${RAGRT_TEST_PG_DSN}
    mode: read_only_query
    tables: [orders]
    max_rows: 3
    timeout_s: 2
)";

// A tools: section with one sql tool `t` over the test database; `lines` start at line 7.
std::string entry(const std::string& lines) {
  return "\ntools:\n  t:\n    type: sql\n    description: d\n    dsn: ${RAGRT_TEST_PG_DSN}\n" + lines;
}

TEST(PostgresSqlScan, NamedParametersBecomePositional) {
  using ragrt::tools::scan_pg_statement;
  auto s = scan_pg_statement("SELECT :a, :b::text, x::int, :a FROM t WHERE y = :b_2", true);
  EXPECT_EQ(s.sql, "SELECT $1, $2::text, x::int, $1 FROM t WHERE y = $3");
  EXPECT_EQ(s.parameters, (std::vector<std::string>{"a", "b", "b_2"}));
  EXPECT_EQ(s.first_keyword, "select");

  // Nothing inside strings, identifiers, comments or dollar quotes is a parameter or an end.
  const std::string quiet = R"(SELECT ':x;', E'\':y;', "c:z;", $$ :w; $$, $q$ :v $q$, U&':u', B'01' -- :c;
    /* :d; /* nested */ ; */ FROM t)";
  s = scan_pg_statement(quiet, true);
  EXPECT_EQ(s.sql, quiet);
  EXPECT_TRUE(s.parameters.empty());
  EXPECT_FALSE(s.more_statements);

  s = scan_pg_statement("  (select 1) ; ;\n-- done\n", true);
  EXPECT_EQ(s.sql, "  (select 1) ");
  EXPECT_EQ(s.first_keyword, "select");
  EXPECT_FALSE(s.more_statements);
  EXPECT_TRUE(scan_pg_statement("SELECT 1; DELETE FROM t", true).more_statements);
  EXPECT_TRUE(scan_pg_statement("SELECT ';' ; SELECT 2", true).more_statements);
  EXPECT_EQ(scan_pg_statement("SELECT $1, $2", true).positional, "$1");
  EXPECT_EQ(scan_pg_statement("SELECT a$1 FROM t", true).positional, "");
  EXPECT_EQ(scan_pg_statement("SELECT :a FROM t", false).sql, "SELECT :a FROM t");
  EXPECT_THROW(scan_pg_statement("SELECT 'open", true), ragrt::Error);
  EXPECT_THROW(scan_pg_statement("SELECT /* open", true), ragrt::Error);
  EXPECT_THROW(scan_pg_statement("SELECT $x$ open", true), ragrt::Error);
}

TEST(PostgresSqlScan, CalledNamesAndOperators) {
  auto s = ragrt::tools::scan_pg_statement(
      R"(SELECT count(*), pg_catalog.Query_To_Xml /* c */ ('x'), "Odd"(1), o.leak, 'f(' FROM t WHERE a <-> b AND c = 1)", false);
  EXPECT_EQ(s.called, (std::vector<std::string>{"count", "query_to_xml", "Odd"}));
  EXPECT_EQ(s.operators, (std::vector<std::string>{"*", "<->", "="}));
  EXPECT_TRUE(ragrt::tools::scan_pg_statement(R"(SELECT U&"d\0061ta"(1))", false).unicode_identifier);
  // A name glued to a number is still a name (older servers read 1f(x) as 1 then f(x)).
  EXPECT_EQ(ragrt::tools::scan_pg_statement("SELECT 1f(2)", false).called, std::vector<std::string>{"f"});
}

TEST_F(PostgresBackendTest, NamedQueryBindsArguments) {
  auto tools = load(kCustomerLookup);
  auto tool = tools.find("customer_lookup");
  ASSERT_TRUE(tool);
  // Bound as a value, an injection is just a customer id that does not exist.
  ragrt::testing::expect_customer_lookup(
      *tool, {"1 OR 1=1", "c1' OR '1'='1", "c1'; DROP TABLE customers; --", "$1", ":customer_id", "c1\\'"});
  EXPECT_EQ(server_->value("SELECT count(*) FROM customers"), "2");
}

TEST_F(PostgresBackendTest, SameParameterTwiceAndCastsAreNotParameters) {
  // :status twice is one parameter; ::text casts and ':' inside literals, quoted names and comments
  // are not parameters (else the config would fail: not a property of parameters).
  auto tools = load(entry(R"(    query: |
      SELECT order_id, status::text, ':nope' AS lit, "odd:name" -- :nope
      FROM orders
      WHERE customer_id = :customer_id AND (:status::text IS NULL OR status = :status) /* :nope */
      ORDER BY order_id
    parameters: {type: object, properties: {customer_id: {type: string}, status: {type: string}}, required: [customer_id]}
)"));
  auto tool = tools.find("t");
  auto r = tool->call({{"customer_id", "c2"}, {"status", "shipped"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["columns"], json({"order_id", "status", "lit", "odd:name"}));
  EXPECT_EQ(r.data["rows"], json({{10005, "shipped", ":nope", nullptr}}));
  auto all = tool->call({{"customer_id", "c2"}});  // absent: NULL
  ASSERT_TRUE(all.ok()) << all.content;
  EXPECT_EQ(all.data["rows"].size(), 3u);
}

TEST_F(PostgresBackendTest, CellsByColumnType) {
  auto tools = load(entry(R"(    query: |
      SELECT NULL::int AS nothing, 7::int2 AS small, 70000 AS medium, 9007199254740993::int8 AS big,
             1.5::float8 AS f8, 0.25::float4 AS f4, 'NaN'::float8 AS nan, 25.50::numeric(10,2) AS money,
             100::numeric AS whole, 12345678901234567890.12::numeric AS huge, true AS yes, false AS no,
             '{"a": [1, "x"], "b": null}'::jsonb AS jb, '[1,2]'::json AS j, 'text'::text AS t,
             DATE '2024-05-01' AS d, :n::int + 1 AS arg_int, :f::float8 AS arg_float, :b::boolean AS arg_bool
    parameters: {type: object, properties: {n: {type: integer}, f: {type: number}, b: {type: boolean}}}
)"));
  auto r = tools.find("t")->call({{"n", 41}, {"f", 2.5}, {"b", true}});
  ASSERT_TRUE(r.ok()) << r.content;
  const auto& row = r.data["rows"][0];
  EXPECT_EQ(row[0], nullptr);
  EXPECT_EQ(row[1], 7);
  EXPECT_EQ(row[2], 70000);
  EXPECT_EQ(row[3], 9007199254740993LL);
  EXPECT_EQ(row[4], 1.5);
  EXPECT_EQ(row[5], 0.25);
  EXPECT_EQ(row[6], "NaN");
  EXPECT_EQ(row[7], 25.5);
  EXPECT_TRUE(row[8].is_number_integer());
  EXPECT_EQ(row[8], 100);
  EXPECT_EQ(row[9], "12345678901234567890.12");  // kept exact
  EXPECT_EQ(row[10], true);
  EXPECT_EQ(row[11], false);
  EXPECT_EQ(row[12], json::parse(R"({"a": [1, "x"], "b": null})"));
  EXPECT_EQ(row[13], json({1, 2}));
  EXPECT_EQ(row[14], "text");
  EXPECT_EQ(row[15], "2024-05-01");
  EXPECT_EQ(row[16], 42);
  EXPECT_EQ(row[17], 2.5);
  EXPECT_EQ(row[18], true);
}

TEST_F(PostgresBackendTest, RowCapSetsTruncated) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  auto r = tool->call({{"sql", "SELECT order_id, status, total, paid FROM orders ORDER BY order_id"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"].size(), 3u);
  EXPECT_EQ(r.data["truncated"], true);
  EXPECT_EQ(r.data["rows"][0], json({10001, "shipped", 25.5, true}));
  auto exact = tool->call({{"sql", "SELECT order_id FROM orders WHERE order_id > 10002 -- three"}});
  ASSERT_TRUE(exact.ok()) << exact.content;
  EXPECT_EQ(exact.data["rows"].size(), 3u);
  EXPECT_EQ(exact.data["truncated"], false);
  // Far more rows than the cap (5^10): the server stops after max_rows + 1.
  auto many = tool->call({{"sql", "SELECT a.order_id FROM orders a, orders b, orders c, orders d, orders e, orders f, orders g, "
                                  "orders h, orders i, orders j"}});
  ASSERT_TRUE(many.ok()) << many.content;
  EXPECT_EQ(many.data["rows"].size(), 3u);
  EXPECT_EQ(many.data["truncated"], true);
}

TEST_F(PostgresBackendTest, ReadOnlyQueryModeReadsListedTables) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  const auto description = tool->spec().parameters["properties"]["sql"]["description"].get<std::string>();
  EXPECT_THAT(description, HasSubstr("One PostgreSQL SELECT statement"));
  EXPECT_THAT(description, HasSubstr("orders(order_id, customer_id, status, total, paid, weight_kg, details, odd:name)"));

  auto r = tool->call({{"sql", "SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status;"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["columns"], json({"status", "n"}));
  auto cte = tool->call({{"sql", "WITH big AS (SELECT * FROM orders WHERE total > 40) SELECT count(*), max(upper(status)) FROM big"}});
  ASSERT_TRUE(cte.ok()) << cte.content;
  EXPECT_EQ(cte.data["rows"], json({{2, "SHIPPED"}}));
  auto syntax = tool->call({{"sql", "SELECT * FROM orders WHERE"}});
  EXPECT_EQ(syntax.status, ToolStatus::kFailed);
  EXPECT_THAT(syntax.content, HasSubstr("SQL error: syntax error"));
  EXPECT_EQ(tool->call({{"sql", " ; "}}).status, ToolStatus::kInvalidArguments);
}

TEST_F(PostgresBackendTest, OtherTablesAreRefused) {
  auto tools = load(kOrdersSql);
  expect_refused(*tools.find("orders_sql"),
                 {"SELECT * FROM customers", "SELECT * FROM public.customers",
                  "SELECT o.order_id, c.email FROM orders o JOIN customers c USING (customer_id)",
                  "SELECT * FROM orders WHERE customer_id IN (SELECT customer_id FROM customers)",
                  "WITH orders AS (SELECT * FROM customers) SELECT * FROM orders",
                  "SELECT * FROM customer_emails"},
                 "table 'customers' may not be read by this tool (allowed: orders)");
  expect_refused(*tools.find("orders_sql"), {"SELECT relname FROM pg_class", "SELECT * FROM pg_catalog.pg_roles"},
                 "may not be read by this tool");
}

TEST_F(PostgresBackendTest, FunctionsThatReadOtherDataAreRefused) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  expect_refused(*tool,
                 {"SELECT query_to_xml('SELECT * FROM customers', true, false, '')",
                  "SELECT pg_catalog.query_to_xml /* c */ ('SELECT * FROM customers', true, false, '')",
                  R"(SELECT "query_to_xml"('SELECT * FROM customers', true, false, ''))",
                  "SELECT table_to_xml('customers', true, false, '')", "SELECT pg_read_file('/etc/passwd')",
                  "SELECT set_config('role', 'postgres', true)", "SELECT current_setting('data_directory')",
                  "SELECT nextval('ticket_seq')", "SELECT * FROM orders WHERE 1 = (SELECT count(*) FROM ts_stat('SELECT 1'))"},
                 "may not be called by this tool (it can read other tables or server state)");
  // Functions of the database's own (SQL, PL/pgSQL, extensions): their bodies are not checked.
  expect_refused(*tool, {"SELECT email_of('c1') FROM orders", "SELECT leak(o) FROM orders o", "SELECT o.leak FROM orders o"},
                 "only PostgreSQL's built-in functions may");
  expect_refused(*tool, {R"(SELECT U&"\0071uery_to_xml"('SELECT 1', true, false, ''))"}, "identifiers are not allowed");
  // Built-ins that only compute stay usable.
  auto r = tool->call({{"sql", "SELECT lower(status), round(total), coalesce(weight_kg, 0), details->'items' FROM orders "
                               "WHERE order_id = 10001"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"], json::parse(R"([["shipped", 26, 1.25, [1, 2]]])"));
}

TEST_F(PostgresBackendTest, WritesAreRefused) {
  auto tools = load(kOrdersSql);
  expect_refused(*tools.find("orders_sql"),
                 {"INSERT INTO orders (order_id) VALUES (1)", "DELETE FROM orders", "UPDATE orders SET status = 'x'",
                  "DROP TABLE orders", "CREATE TABLE t (x int)", "TRUNCATE orders", "COPY orders TO STDOUT", "SET ROLE postgres",
                  "EXPLAIN ANALYZE DELETE FROM orders", "CALL something()"},
                 "only a read-only SELECT statement is allowed");
  expect_refused(*tools.find("orders_sql"),
                 {"WITH gone AS (DELETE FROM orders RETURNING *) SELECT * FROM gone", "SELECT * FROM orders FOR UPDATE"},
                 "only a read-only SELECT statement is allowed");
  // A write hidden in a function of the operator's own query: the transaction is read-only.
  auto named = load(entry("    query: \"SELECT bump() AS n\"\n"));
  auto r = named.find("t")->call(json::object());
  EXPECT_EQ(r.status, ToolStatus::kRefused);
  EXPECT_THAT(r.content, HasSubstr("cannot execute UPDATE in a read-only transaction"));
  EXPECT_EQ(order_count(), 5);
}

TEST_F(PostgresBackendTest, OnlyOneStatement) {
  auto tools = load(kOrdersSql);
  auto tool = tools.find("orders_sql");
  expect_refused(*tool, {"SELECT 1 FROM orders; DELETE FROM orders", "SELECT 1; SELECT * FROM customers"},
                 "only one SELECT statement is allowed");
  EXPECT_TRUE(tool->call({{"sql", "SELECT 1 FROM orders;  ;\n-- trailing comment"}}).ok());
  EXPECT_THAT(error(entry("    query: \"SELECT 1; DELETE FROM orders\"\n")),
              HasSubstr("tools.yaml:7:12: tools.t.query: does not compile: only one statement is allowed"));
  EXPECT_EQ(order_count(), 5);
}

TEST_F(PostgresBackendTest, ConfigMistakesNameTheLine) {
  EXPECT_THAT(error(entry("    query: \"SELECT nope FROM customers\"\n")),
              HasSubstr("tools.yaml:7:12: tools.t.query: does not compile: column \"nope\" does not exist"));
  EXPECT_THAT(error(entry("    query: \"DELETE FROM customers\"\n")),
              HasSubstr("tools.yaml:7:12: tools.t.query: does not compile: only SELECT is allowed (DELETE is not)"));
  EXPECT_THAT(error(entry("    query: \"SELECT * FROM customers WHERE customer_id = $1\"\n")), HasSubstr("positional parameter ($1)"));
  EXPECT_THAT(error(entry(R"(    query: "SELECT name FROM customers WHERE customer_id = :id"
    parameters: {type: object, properties: {customer_id: {type: string}}}
)")),
              HasSubstr("tools.yaml:7:12: tools.t.query: :id is not a property of parameters (properties: customer_id)"));
  EXPECT_THAT(error(entry("    mode: read_only_query\n    tables: [orders, invoices]\n")),
              HasSubstr("tools.yaml:8:22: tools.t.tables: no table 'invoices' in the database"));
  EXPECT_THAT(error(entry("    database: data/orders.sqlite\n    query: \"SELECT 1\"\n")),
              HasSubstr("tools.yaml:6:10: tools.t.dsn: database and dsn exclude each other"));
  EXPECT_THAT(error("\ntools:\n  t:\n    type: sql\n    description: d\n    database: x.sqlite\n    role: r\n    query: \"SELECT 1\"\n"),
              HasSubstr("tools.yaml:7:11: tools.t.role: only used with dsn"));
  EXPECT_THAT(error("\ntools:\n  t:\n    type: sql\n    description: d\n    dsn: ${RAGRT_TEST_PG_UNSET_VARIABLE}\n    query: \"SELECT 1\"\n"),
              HasSubstr("tools.yaml:6:10: tools.t.dsn:"));
  EXPECT_THAT(error(entry("    role: nobody_here\n    query: \"SELECT 1\"\n")),
              HasSubstr("tools.yaml:7:11: tools.t.role: cannot SET ROLE nobody_here: role \"nobody_here\" does not exist"));
  EXPECT_THAT(error(entry("    role: orders_reader\n    mode: read_only_query\n    tables: [orders, customers]\n")),
              HasSubstr("tools.yaml:7:11: tools.t.role: role orders_reader may not read table 'customers'"));
}

TEST_F(PostgresBackendTest, StatementTimeoutAndCancel) {
  auto tools = load(entry("    query: \"SELECT pg_sleep(:s) AS slept\"\n    parameters: {type: object, properties: {s: {type: number}}}\n"
                          "    timeout_s: 0.3\n"));
  auto tool = tools.find("t");
  auto t0 = std::chrono::steady_clock::now();
  auto r = tool->call({{"s", 10}});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, ToolStatus::kFailed);
  EXPECT_EQ(r.content, "query timed out after 0.3 s");
  EXPECT_LT(s, 2.0);
  // The caller's budget wins when smaller.
  ragrt::ToolCallOptions options;
  options.timeout = std::chrono::milliseconds(100);
  EXPECT_EQ(tool->call({{"s", 10}}, options).content, "query timed out after 0.1 s");
  // Cancelled from another thread while the server sleeps.
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    *cancel = true;
  });
  ragrt::ToolCallOptions cancelling;
  cancelling.cancel = cancel;
  t0 = std::chrono::steady_clock::now();
  auto c = tool->call({{"s", 0.25}}, cancelling);
  canceller.join();
  EXPECT_EQ(c.content, "query cancelled");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.25);
  // Usable afterwards.
  auto ok = tool->call({{"s", 0}});
  EXPECT_TRUE(ok.ok()) << ok.content;

  // read_only_query mode too.
  auto model = load(kOrdersSql);
  options.timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(model.find("orders_sql")->call({{"sql", "SELECT pg_sleep(5) FROM orders"}}, options).content, "query timed out after 0.2 s");
}

TEST_F(PostgresBackendTest, RoleIsTheLastWord) {
  // The operator's query names a table the role may not read: PostgreSQL refuses it.
  auto tools = load(entry("    role: orders_reader\n    query: \"SELECT email FROM customers\"\n"));
  auto r = tools.find("t")->call(json::object());
  EXPECT_EQ(r.status, ToolStatus::kRefused);
  EXPECT_THAT(r.content, HasSubstr("permission denied for table customers"));
  auto orders = load(entry("    role: orders_reader\n    query: \"SELECT count(*) AS n FROM orders\"\n"));
  auto ok = orders.find("t")->call(json::object());
  ASSERT_TRUE(ok.ok()) << ok.content;
  EXPECT_EQ(ok.data["rows"], json({{5}}));
}

TEST_F(PostgresBackendTest, PasswordIsNeverInAMessage) {
  // A rejected login names the server without the password.
  const std::string wrong = "Wr0ng-Pa55word-abc";
  ::setenv("RAGRT_TEST_PG_WRONG_DSN", server_->dsn(wrong).c_str(), 1);
  const std::string rejected = error("\ntools:\n  t:\n    type: sql\n    description: d\n    dsn: ${RAGRT_TEST_PG_WRONG_DSN}\n"
                                     "    query: \"SELECT 1\"\n");
  EXPECT_THAT(rejected, HasSubstr("tools.yaml:6:10: tools.t.dsn: cannot connect to PostgreSQL at app@127.0.0.1:" +
                                  std::to_string(server_->port()) + "/shop: "));
  EXPECT_THAT(rejected, HasSubstr("password authentication failed"));
  EXPECT_THAT(rejected, Not(HasSubstr(wrong)));
  // libpq's own parse errors quote the URL; ours do not.
  ::setenv("RAGRT_TEST_PG_BAD_URL", ("postgresql://app:" + std::string(kPassword) + "@[::1/shop").c_str(), 1);
  const std::string malformed =
      error("\ntools:\n  t:\n    type: sql\n    description: d\n    dsn: ${RAGRT_TEST_PG_BAD_URL}\n    query: \"SELECT 1\"\n");
  EXPECT_THAT(malformed, HasSubstr("tools.t.dsn: is not a libpq connection string"));
  EXPECT_THAT(malformed, Not(HasSubstr(kPassword)));

  // The URL form works; the password is a secret of the tool and of the trace Redactor, and a
  // failing query's message does not carry it even when the statement does.
  ::setenv("RAGRT_TEST_PG_URL", server_->url().c_str(), 1);
  auto tools = load("\ntools:\n  t:\n    type: sql\n    description: d\n    dsn: ${RAGRT_TEST_PG_URL}\n    mode: read_only_query\n"
                    "    tables: [orders]\n");
  auto tool = std::dynamic_pointer_cast<const ragrt::tools::SqlTool>(tools.find("t"));
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->secrets(), std::vector<std::string>{kPassword});
  EXPECT_EQ(ragrt::Redactor::global().redact(std::string("pw ") + kPassword), "pw [redacted]");
  auto r = tool->call({{"sql", std::string("SELECT * FROM orders WHERE status = '") + kPassword + "'::int"}});
  EXPECT_EQ(r.status, ToolStatus::kFailed);
  EXPECT_THAT(r.content, HasSubstr("invalid input syntax for type integer"));
  EXPECT_THAT(r.content, Not(HasSubstr(kPassword)));
}

TEST_F(PostgresBackendTest, ReconnectsOnceWhenTheConnectionBroke) {
  auto tools = load(kCustomerLookup);
  auto tool = tools.find("customer_lookup");
  ASSERT_TRUE(tool->call({{"customer_id", "c1"}}).ok());
  EXPECT_EQ(server_->admin("shop", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'"), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto r = tool->call({{"customer_id", "c1"}});
  ASSERT_TRUE(r.ok()) << r.content;
  EXPECT_EQ(r.data["rows"], json({{"Ada", "gold", "ada@example.com"}}));
}

TEST_F(PostgresBackendTest, ConcurrentCalls) {
  auto tools = load(kCustomerLookup);
  auto tool = tools.find("customer_lookup");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) ok += tool->call({{"customer_id", (i + t) % 2 ? "c1" : "c2"}}).data["rows"].size() == 1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 120);
  // The pool keeps a few connections, not one per call (closed ones leave the server a moment later).
  int open = 0;
  for (int i = 0; i < 40; ++i) {
    open = std::stoi(server_->value("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'"));
    if (open <= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LE(open, 4);
}

}  // namespace
