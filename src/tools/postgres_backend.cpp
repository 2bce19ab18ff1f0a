#include "tools/postgres_backend.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "text/utf8.h"
#include "tools/pg_sql_scan.h"

namespace ragrt::tools {

namespace {

using Clock = std::chrono::steady_clock;
using Params = std::vector<std::optional<std::string>>;

constexpr size_t kMaxIdle = 4;                                // pooled connections kept open
constexpr size_t kMinSecretBytes = 4;                         // as the trace Redactor
constexpr auto kLoadTimeout = std::chrono::seconds(30);       // connecting and compiling at config load
constexpr auto kPollSlice = std::chrono::milliseconds(20);    // how often a wait looks at the cancel flag
constexpr auto kCancelGrace = std::chrono::milliseconds(50);  // let the server's statement_timeout speak first
constexpr auto kCancelWait = std::chrono::seconds(2);         // after PQcancel; then the connection is dropped
constexpr auto kRollbackWait = std::chrono::seconds(2);

// Type OIDs (catalog/pg_type_d.h is a server header): the ones with a JSON form of their own.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kJsonOid = 114, kFloat4Oid = 700,
              kFloat8Oid = 701, kNumericOid = 1700, kJsonbOid = 3802;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool succeeded(const PGresult* r) {
  return r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
}

bool is_query(const std::string& first_keyword) {
  return first_keyword == "select" || first_keyword == "with" || first_keyword == "values" || first_keyword == "table";
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// libpq's messages end in newlines and may span lines; a tool message is one line.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' && !out.empty() && out.back() != ':' && out.back() != ';') out += ';';
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

// The row cap travels inside the SQL as our own number; the statement itself is the subquery.
// The newline before ')' ends a trailing -- comment.
std::string wrap(const std::string& sql, size_t limit) {
  return fmt::format("SELECT * FROM (\n{}\n) AS ragrt_rows LIMIT {}", sql, limit);
}

// NUMERIC keeps its exact text unless a double carries it exactly: integers that fit in 64 bits
// become integers, up to 15 digits become numbers, longer ones (and NaN, ±Infinity) stay strings,
// so that 12345678901234567890.12 does not come back rounded.
nlohmann::ordered_json numeric_cell(std::string_view v) {
  int64_t i = 0;
  if (v.find_first_of(".eE") == std::string_view::npos) {
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
    if (ec == std::errc() && end == v.data() + v.size()) return i;
  }
  const auto digits = std::count_if(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (digits <= 15 && ec == std::errc() && end == v.data() + v.size() && std::isfinite(d)) return d;
  return std::string(v);
}

nlohmann::ordered_json cell(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return nullptr;
  const std::string_view v(PQgetvalue(r, row, col), PQgetlength(r, row, col));
  switch (PQftype(r, col)) {
    case kBoolOid: return v == "t";
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      int64_t i = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
      if (ec == std::errc() && end == v.data() + v.size()) return i;
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec == std::errc() && end == v.data() + v.size() && std::isfinite(d)) return d;
      break;  // NaN, Infinity: JSON has no number for them
    }
    case kNumericOid: return numeric_cell(v);
    case kJsonOid:
    case kJsonbOid: {
      auto j = nlohmann::ordered_json::parse(v, nullptr, false);
      if (!j.is_discarded()) return j;
      break;
    }
    default: break;
  }
  return text::from_utf8_lossy(v);
}

// Built-in functions a model-written statement may not call although they live in pg_catalog: they
// run SQL given as text (and so read any table), read files or server settings, change settings
// (set_config could undo SET ROLE), touch large objects, sequences or other sessions. pg_* is
// refused as a family (admin, statistics, file and catalog functions) but for a few harmless ones.
bool denied_builtin(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> allowed_pg = {"pg_sleep", "pg_sleep_for", "pg_typeof", "pg_size_pretty", "pg_column_size"};
  static const std::set<std::string> denied = {"set_config", "current_setting", "nextval", "setval", "currval", "lastval",
                                               "loread", "lowrite", "ts_stat", "ts_rewrite", "dblink"};
  static const char* const prefixes[] = {"pg_", "query_to_", "table_to_", "cursor_to_", "schema_to_", "database_to_",
                                         "lo_", "txid_", "binary_upgrade_", "dblink_"};
  if (allowed_pg.count(name)) return false;
  if (denied.count(name)) return true;
  return std::any_of(std::begin(prefixes), std::end(prefixes), [&](const char* p) { return name.starts_with(p); });
}

// {"a","b"} for a text[] parameter.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// The relations, function scans and expression texts of an EXPLAIN (VERBOSE, FORMAT JSON) plan.
struct PlanParts {
  std::vector<std::string> relations;                          // schema.relation
  std::vector<std::pair<std::string, std::string>> functions;  // (schema, name) of Function Scan nodes
  std::vector<std::string> expressions;
};

void walk_plan(const nlohmann::json& node, PlanParts& out) {
  static const std::set<std::string> names = {"Relation Name", "Schema", "Alias", "Index Name", "CTE Name", "Function Name", "Subplan Name"};
  if (node.is_array()) {
    for (const auto& v : node) walk_plan(v, out);
    return;
  }
  if (!node.is_object()) return;
  const std::string schema = node.value("Schema", "");
  if (node.contains("Relation Name")) out.relations.push_back(schema + "." + node["Relation Name"].get<std::string>());
  if (node.contains("Function Name")) out.functions.emplace_back(schema, node["Function Name"].get<std::string>());
  for (const auto& [key, value] : node.items()) {
    if (names.count(key)) continue;
    if (value.is_string()) {
      out.expressions.push_back(value.get<std::string>());
    } else if (value.is_array() && !value.empty() && value[0].is_string()) {
      for (const auto& v : value) out.expressions.push_back(v.get<std::string>());
    } else {
      walk_plan(value, out);
    }
  }
}

std::optional<std::string> argument_text(const nlohmann::json& arguments, const std::string& name) {
  if (!arguments.is_object()) return std::nullopt;
  auto it = arguments.find(name);
  if (it == arguments.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return std::string(it->get<bool>() ? "true" : "false");
  return it->dump();  // numbers as JSON writes them; objects and arrays as JSON text
}

}  // namespace

struct PostgresBackend::Connection {
  PGconn* conn = nullptr;
  bool broken = false;  // not to be pooled again
  ~Connection() {
    if (conn) PQfinish(conn);
  }
};

// One piece of work on a connection under a deadline and an optional cancel flag: every wait polls
// the socket in short slices, and PQcancel stops the server's side when either runs out.
struct PostgresBackend::Call {
  enum class Stop { kNone, kTimeout, kCancel };
  const PostgresBackend& backend;
  Connection& c;
  Clock::time_point deadline;
  double timeout_s = 0;
  const std::atomic<bool>* cancel = nullptr;
  Stop stopped = Stop::kNone;

  Call(const PostgresBackend& b, Connection& conn, const SqlLimits& limits)
      : backend(b), c(conn), deadline(limits.deadline), timeout_s(limits.timeout_s), cancel(limits.cancel) {}

  // Our own statements only (several commands in one simple query).
  Result exec(const std::string& sql) { return finish(PQsendQuery(c.conn, sql.c_str())); }
  // Anything holding outside text: the extended protocol takes exactly one statement.
  Result exec(const std::string& sql, const Params& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return finish(PQsendQueryParams(c.conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  }
  Result prepare(const std::string& sql) { return finish(PQsendPrepare(c.conn, "", sql.c_str(), 0, nullptr)); }
  Result describe() { return finish(PQsendDescribePrepared(c.conn, "")); }

  Result finish(int sent) {
    if (!sent) {
      c.broken = true;
      return nullptr;
    }
    Clock::time_point cancel_sent;
    while (true) {
      if (!PQconsumeInput(c.conn)) {
        c.broken = true;
        return nullptr;
      }
      if (!PQisBusy(c.conn)) break;
      const auto now = Clock::now();
      if (stopped == Stop::kNone) {
        if (cancel && cancel->load()) stopped = Stop::kCancel;
        else if (now > deadline + kCancelGrace) stopped = Stop::kTimeout;
        if (stopped != Stop::kNone) {
          send_cancel();
          cancel_sent = now;
        }
      } else if (now - cancel_sent > kCancelWait) {
        c.broken = true;  // the server does not answer; dropping the connection ends its side
        return nullptr;
      }
      pollfd p{PQsocket(c.conn), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(kPollSlice.count()));
    }
    Result first_error, last;
    while (PGresult* raw = PQgetResult(c.conn)) {
      Result r(raw);
      if (!succeeded(raw) && !first_error) {
        first_error = std::move(r);
      } else {
        last = std::move(r);
      }
    }
    if (PQstatus(c.conn) == CONNECTION_BAD) c.broken = true;
    return first_error ? std::move(first_error) : std::move(last);
  }

  void send_cancel() {
    // A cancel may land after the statement it was meant for; the connection is not reused.
    c.broken = true;
    if (PGcancel* pc = PQgetCancel(c.conn)) {
      char error[256];
      PQcancel(pc, error, sizeof error);
      PQfreeCancel(pc);
    }
  }

  // BEGIN READ ONLY with the statement timeout (what is left of the deadline) and the role.
  Result begin(bool as_role = true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      stopped = Stop::kTimeout;
      return nullptr;
    }
    std::string sql = fmt::format("BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = {}", left);
    if (as_role && !backend.o_.role.empty()) {
      char* role = PQescapeIdentifier(c.conn, backend.o_.role.c_str(), backend.o_.role.size());
      if (!role) return nullptr;
      sql += fmt::format("; SET LOCAL ROLE {}", role);
      PQfreemem(role);
    }
    return exec(sql);
  }

  // ROLLBACK, whatever the deadline says; a connection that cannot is dropped.
  void rollback() {
    if (c.broken) return;
    Call end{backend, c, SqlLimits{.deadline = Clock::now() + kRollbackWait}};
    if (!succeeded(end.exec("ROLLBACK").get())) c.broken = true;
  }

  // What went wrong, for the model: `r` is the failed result (null: the connection failed).
  std::string error_text(const PGresult* r) const {
    if (r) {
      const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      return backend.scrub(one_line(primary ? primary : PQresultErrorMessage(r)));
    }
    return backend.scrub(one_line(PQerrorMessage(c.conn)));
  }

  SqlOutcome failure(const PGresult* r) const {
    SqlOutcome out;
    out.status = ToolStatus::kFailed;
    const std::string state = r && PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "";
    const std::string message = error_text(r);
    if (stopped == Stop::kCancel || (state == "57014" && message.find("statement timeout") == std::string::npos)) {
      out.message = "query cancelled";
    } else if (stopped == Stop::kTimeout || state == "57014") {
      out.message = fmt::format("query timed out after {:g} s", timeout_s);
    } else if (!r || state.starts_with("08") || state.starts_with("57P")) {  // 57P01: terminated by an administrator
      out.message = fmt::format("connection to PostgreSQL at {} failed: {}", backend.server_, message);
    } else if (state == "25006" || (state == "0A000" && message.find("data-modifying") != std::string::npos)) {
      out.status = ToolStatus::kRefused;
      out.message = fmt::format("only a read-only SELECT statement is allowed ({})", message);
    } else if (state == "42501") {
      out.status = ToolStatus::kRefused;
      out.message = message;
    } else {
      out.message = fmt::format("SQL error: {}", message);
    }
    return out;
  }
};

PostgresBackend::PostgresBackend(Options options) : o_(std::move(options)) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(o_.dsn.c_str(), &error);
  if (!parsed) {
    // libpq's message may quote the whole string, password and all.
    if (error) PQfreemem(error);
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "is not a libpq connection string (key=value …) or postgresql:// URL");
  }
  std::map<std::string, std::string> dsn;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (o->val && *o->val) dsn[o->keyword] = o->val;
  }
  PQconninfoFree(parsed);
  password_ = dsn["password"];
  const std::string host = !dsn["host"].empty() ? dsn["host"] : !dsn["hostaddr"].empty() ? dsn["hostaddr"] : "localhost";
  server_ = (dsn["user"].empty() ? "" : dsn["user"] + "@") + host + (dsn["port"].empty() ? "" : ":" + dsn["port"]) +
            (dsn["dbname"].empty() ? "" : "/" + dsn["dbname"]);

  const SqlLimits load{.deadline = Clock::now() + kLoadTimeout, .timeout_s = std::chrono::duration<double>(kLoadTimeout).count()};
  auto c = acquire(load);
  if (o_.tables) {
    // Each listed table and, recursively, its partitions and inheritance children, by the names
    // the plan will show. As the DSN's user: check_role() says what the role may not read.
    Call call(*this, *c, load);
    Result r = call.begin(false);
    if (!succeeded(r.get())) RAGRT_THROW_KIND(ErrorKind::kIo, "{}", call.failure(r.get()).message);
    for (const std::string& t : *o_.tables) {
      r = call.exec(
          "WITH RECURSIVE t(oid) AS (SELECT to_regclass($1)::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid) "
          "SELECT n.nspname || '.' || c.relname FROM t JOIN pg_class c ON c.oid = t.oid JOIN pg_namespace n ON n.oid = c.relnamespace",
          {t});
      if (!succeeded(r.get())) continue;  // not a table name at all: columns_of() says so to the config
      for (int i = 0; i < PQntuples(r.get()); ++i) readable_.insert(PQgetvalue(r.get(), i, 0));
    }
    call.rollback();
  }
  release(std::move(c));
}

PostgresBackend::~PostgresBackend() = default;

std::string PostgresBackend::scrub(std::string text) const {
  if (password_.size() < kMinSecretBytes) return text;
  for (size_t p = text.find(password_); p != std::string::npos; p = text.find(password_, p))
    text.replace(p, password_.size(), "[redacted]");
  return text;
}

std::unique_ptr<PostgresBackend::Connection> PostgresBackend::acquire(const SqlLimits& limits) const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  // Keywords before dbname are defaults the DSN may override; those after it are ours.
  const char* keys[] = {"fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {"ragrt", o_.dsn.c_str(), "UTF8", nullptr};
  auto c = std::make_unique<Connection>();
  c->conn = PQconnectStartParams(keys, values, 1);
  auto fail = [&](const std::string& why) { RAGRT_THROW_KIND(ErrorKind::kIo, "cannot connect to PostgreSQL at {}: {}", server_, scrub(one_line(why))); };
  if (!c->conn) fail("out of memory");
  if (PQstatus(c->conn) == CONNECTION_BAD) fail(PQerrorMessage(c->conn));
  for (PostgresPollingStatusType state = PGRES_POLLING_WRITING; state != PGRES_POLLING_OK; state = PQconnectPoll(c->conn)) {
    if (state == PGRES_POLLING_FAILED) fail(PQerrorMessage(c->conn));
    while (true) {
      if (limits.cancel && limits.cancel->load()) RAGRT_THROW_KIND(ErrorKind::kRuntime, "query cancelled");
      if (Clock::now() > limits.deadline) fail(fmt::format("no answer within {:g} s", limits.timeout_s));
      pollfd p{PQsocket(c->conn), static_cast<short>(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
      if (::poll(&p, 1, static_cast<int>(kPollSlice.count())) != 0) break;
    }
  }
  // The lexer in pg_sql_scan assumes standard strings; sessions start read-only as a second lock.
  Result r(PQexec(c->conn, "SET standard_conforming_strings = on; SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"));
  const char* standard = PQparameterStatus(c->conn, "standard_conforming_strings");
  if (!succeeded(r.get()) || !standard || std::string(standard) != "on") fail(PQerrorMessage(c->conn));
  return c;
}

void PostgresBackend::release(std::unique_ptr<Connection> c) const {
  if (c->broken || PQstatus(c->conn) != CONNECTION_OK || PQtransactionStatus(c->conn) != PQTRANS_IDLE) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(c));
}

std::vector<std::string> PostgresBackend::parameters(const std::string& sql) const {
  PgStatement st;
  try {
    st = scan_pg_statement(sql, true);
  } catch (const Error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: the statement {}", e.what());
  }
  if (st.more_statements) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: only one statement is allowed");
  if (st.first_keyword.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "is empty");
  if (!st.positional.empty())
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "uses a positional parameter ({}); name it (:name) after a property of parameters", st.positional);
  if (!is_query(st.first_keyword))
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: only SELECT is allowed ({} is not)", upper(st.first_keyword));

  const SqlLimits load{.deadline = Clock::now() + kLoadTimeout, .timeout_s = std::chrono::duration<double>(kLoadTimeout).count()};
  auto c = acquire(load);
  Call call(*this, *c, load);
  Result r = call.begin();
  if (succeeded(r.get())) r = call.prepare(wrap(st.sql, 1));
  if (!succeeded(r.get())) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: {}", call.error_text(r.get()));
  r = call.describe();
  if (!succeeded(r.get())) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: {}", call.error_text(r.get()));
  if (static_cast<size_t>(PQnparams(r.get())) != st.parameters.size())
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: expected {} parameters, the server read {}", st.parameters.size(), PQnparams(r.get()));
  call.rollback();
  release(std::move(c));
  return st.parameters;
}

std::vector<std::string> PostgresBackend::columns_of(const std::string& table) const {
  std::vector<std::string> out;
  try {
    const SqlLimits load{.deadline = Clock::now() + kLoadTimeout, .timeout_s = std::chrono::duration<double>(kLoadTimeout).count()};
    auto c = acquire(load);
    Call call(*this, *c, load);
    Result r = call.begin();
    // to_regclass resolves the name as a query would; information_schema shows only the columns
    // the user (or role) has some privilege on. A malformed name is an error: no columns.
    if (succeeded(r.get()))
      r = call.exec(
          "SELECT column_name FROM information_schema.columns i JOIN pg_class c ON c.relname = i.table_name "
          "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = i.table_schema "
          "WHERE c.oid = to_regclass($1) ORDER BY i.ordinal_position",
          {table});
    if (succeeded(r.get())) {
      for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
    }
    call.rollback();
    release(std::move(c));
  } catch (const Error&) {
    out.clear();
  }
  return out;
}

void PostgresBackend::check_role() const {
  if (o_.role.empty()) return;
  const SqlLimits load{.deadline = Clock::now() + kLoadTimeout, .timeout_s = std::chrono::duration<double>(kLoadTimeout).count()};
  auto c = acquire(load);
  Call call(*this, *c, load);
  Result r = call.begin();
  if (!succeeded(r.get())) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "cannot SET ROLE {}: {}", o_.role, call.error_text(r.get()));
  for (const std::string& t : o_.tables.value_or(std::set<std::string>{})) {
    r = call.exec("SELECT has_table_privilege(to_regclass($1), 'SELECT')", {t});
    if (succeeded(r.get()) && PQntuples(r.get()) == 1 && std::string_view(PQgetvalue(r.get(), 0, 0)) == "f")
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "role {} may not read table '{}' (GRANT SELECT ON it TO the role)", o_.role, t);
  }
  call.rollback();
  release(std::move(c));
}

std::optional<SqlOutcome> PostgresBackend::check_names(Call& call, const std::vector<std::string>& called,
                                                       const std::vector<std::string>& operators) const {
  auto refuse = [](std::string message) { return SqlOutcome::failure(ToolStatus::kRefused, std::move(message)); };
  for (const std::string& name : called) {
    if (denied_builtin(name))
      return refuse(fmt::format("function '{}' may not be called by this tool (it can read other tables or server state)", name));
  }
  if (called.empty() && operators.empty()) return std::nullopt;
  Result r = call.exec(
      "SELECT 'f', p.proname::text FROM pg_proc p WHERE p.proname = ANY($1::text[]) AND p.pronamespace <> 'pg_catalog'::regnamespace "
      "UNION ALL SELECT DISTINCT 'o', o.oprname::text FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode "
      "JOIN pg_language l ON l.oid = p.prolang WHERE o.oprnamespace <> 'pg_catalog'::regnamespace AND l.lanname NOT IN ('internal', 'c')",
      {text_array(called)});
  if (!succeeded(r.get())) return call.failure(r.get());
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    const std::string name = PQgetvalue(r.get(), i, 1);
    if (PQgetvalue(r.get(), i, 0)[0] == 'f')
      return refuse(fmt::format("function '{}' may not be called by this tool (only PostgreSQL's built-in functions may)", name));
    for (const std::string& run : operators) {
      if (run.find(name) != std::string::npos)
        return refuse(fmt::format("operator '{}' may not be used by this tool (only built-in operators may)", name));
    }
  }
  return std::nullopt;
}

std::optional<SqlOutcome> PostgresBackend::check_model_statement(Call& call, const std::string& wrapped, const std::vector<std::string>& called,
                                                                 const std::vector<std::string>& operators) const {
  if (auto refused = check_names(call, called, operators)) return refused;
  Result r = call.exec("EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON) " + wrapped, {});
  if (!succeeded(r.get())) return call.failure(r.get());
  SqlOutcome refused;
  refused.status = ToolStatus::kRefused;
  const auto json_plan = PQntuples(r.get()) == 1 ? nlohmann::json::parse(PQgetvalue(r.get(), 0, 0), nullptr, false) : nlohmann::json();
  if (!json_plan.is_array() || json_plan.empty()) {
    refused.message = "the statement could not be checked (no query plan)";
    return refused;
  }
  PlanParts plan;
  walk_plan(json_plan, plan);
  for (const std::string& relation : plan.relations) {
    if (readable_.count(relation)) continue;
    std::vector<std::string> allowed(o_.tables->begin(), o_.tables->end());
    const std::string shown = relation.starts_with("public.") ? relation.substr(7) : relation;
    refused.message = fmt::format("table '{}' may not be read by this tool (allowed: {})", shown, fmt::join(allowed, ", "));
    return refused;
  }
  std::vector<std::string> more;
  for (const auto& [schema, name] : plan.functions) {
    if (schema != "pg_catalog") {
      refused.message = fmt::format("function '{}' may not be called by this tool (only PostgreSQL's built-in functions may)", name);
      return refused;
    }
    more.push_back(name);
  }
  // Calls the statement did not spell out as name(…), such as t.f for f(t).
  for (const std::string& e : plan.expressions) {
    try {
      const PgStatement s = scan_pg_statement(e, false);
      more.insert(more.end(), s.called.begin(), s.called.end());
    } catch (const Error&) {
      refused.message = "the statement could not be checked; write it more simply";
      return refused;
    }
  }
  std::sort(more.begin(), more.end());
  more.erase(std::unique(more.begin(), more.end()), more.end());
  return more.empty() ? std::nullopt : check_names(call, more, {});
}

SqlOutcome PostgresBackend::run_once(Call& call, const PgStatement& st, const nlohmann::json& arguments, const SqlLimits& limits) const {
  SqlOutcome out;
  Result r = call.begin();
  if (!succeeded(r.get())) return call.failure(r.get());
  struct Rollback {
    Call& call;
    ~Rollback() { call.rollback(); }
  } rollback_on_exit{call};

  const std::string wrapped = wrap(st.sql, limits.max_rows + 1);
  if (o_.tables) {
    if (auto refused = check_model_statement(call, wrapped, st.called, st.operators)) return *refused;
  }
  Params params;
  for (const std::string& name : st.parameters) params.push_back(argument_text(arguments, name));
  r = call.exec(wrapped, params);
  if (!succeeded(r.get())) return call.failure(r.get());

  const PGresult* res = r.get();
  for (int i = 0; i < PQnfields(res); ++i) out.columns.push_back(text::from_utf8_lossy(PQfname(res, i)));
  const int rows = PQntuples(res);
  out.truncated = static_cast<size_t>(rows) > limits.max_rows;
  for (int row = 0; row < rows && static_cast<size_t>(row) < limits.max_rows; ++row) {
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (int col = 0; col < PQnfields(res); ++col) cells.push_back(cell(res, row, col));
    out.rows.push_back(std::move(cells));
  }
  return out;
}

SqlOutcome PostgresBackend::run(const std::string& sql, const nlohmann::json& arguments, const SqlLimits& limits) const {
  auto fail = &SqlOutcome::failure;
  PgStatement st;
  try {
    st = scan_pg_statement(sql, !o_.tables);
  } catch (const Error& e) {
    return fail(ToolStatus::kFailed, fmt::format("SQL error: the statement {}", e.what()));
  }
  if (st.first_keyword.empty()) return fail(ToolStatus::kInvalidArguments, "the SQL statement is empty");
  if (st.more_statements) return fail(ToolStatus::kRefused, "only one SELECT statement is allowed; remove what follows the first");
  if (!is_query(st.first_keyword))
    return fail(ToolStatus::kRefused, fmt::format("only a read-only SELECT statement is allowed ({} is not)", upper(st.first_keyword)));
  if (o_.tables && st.unicode_identifier)
    return fail(ToolStatus::kRefused, "U&\"…\" identifiers are not allowed; write names plainly");
  for (const std::string& name : st.parameters) {
    auto text = argument_text(arguments, name);
    if (text && text->find('\0') != std::string::npos)
      return fail(ToolStatus::kInvalidArguments, fmt::format("argument '{}' contains a NUL character", name));
  }

  // A pooled connection may have died since (server restart, idle timeout): one fresh try.
  SqlOutcome out;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> c;
    try {
      c = acquire(limits);
    } catch (const Error& e) {
      return fail(ToolStatus::kFailed, e.what());
    }
    Call call(*this, *c, limits);
    out = run_once(call, st, arguments, limits);
    const bool lost = c->broken && call.stopped == Call::Stop::kNone;
    release(std::move(c));
    if (!lost || attempt > 0) return out;
  }
}

}  // namespace ragrt::tools
