#pragma once
// PostgreSQL for the `sql` tool, through libpq.
//
// Statements. :name parameters are rewritten to $1..$n (see PgStatement) and arguments travel as
// text parameters of the extended protocol, so they are never part of the SQL text. Only one
// statement that starts as a query (SELECT, WITH, VALUES, TABLE) is accepted; the server compiles
// it (PQprepare, PQdescribePrepared) at config load. It runs wrapped as
// `SELECT * FROM (<statement>) AS ragrt_rows LIMIT max_rows + 1`: the server stops after the row
// that tells `truncated`, and the wrap itself refuses anything that is not a query (a
// data-modifying WITH cannot stand in a subquery).
//
// Read-only. Each run is one `BEGIN READ ONLY` … `ROLLBACK`, and sessions default to read-only
// transactions too, so whatever writes (a volatile function, SELECT … FOR UPDATE, nextval) fails
// with PostgreSQL's "cannot execute … in a read-only transaction", returned as kRefused.
// `SET LOCAL statement_timeout` bounds each statement on the server; the client cancels (PQcancel)
// at the call's deadline or when its cancel flag is set, so a stuck network is bounded too.
//
// read_only_query mode (the model writes the SQL; `tables` lists what it may read). Four locks,
// each of which stops what the ones before miss:
//   1. Names before '(' in the statement are looked up before anything is planned: a function
//      defined outside pg_catalog (user or extension code can read anything: dblink, a PL/pgSQL
//      function) is refused, and so are the built-ins that run SQL given as text or read server
//      state (query_to_xml, table_to_xml, ts_stat, set_config, current_setting, lo_*, pg_*, …). An
//      operator whose function is written in SQL or a PL outside pg_catalog is refused too.
//   2. `EXPLAIN (VERBOSE, FORMAT JSON)`: every relation the plan scans (views expanded to their
//      tables, partitions and children of inheritance included) must be a listed table or one of
//      its partitions, checked by schema and name, so neither search_path tricks, CTEs named like a
//      listed table, nor views get around it. Function calls the plan shows (attribute notation
//      `t.f` included) are looked up as in 1.
//   3. The read-only transaction, row cap and timeout above.
//   4. `role` (optional): every run does `SET LOCAL ROLE role`, so PostgreSQL's own privileges are
//      the last word. This is the only lock that also covers code the statement does not name (a
//      view's or an implicit cast's function reading another table): give the role SELECT on the
//      listed tables only. set_config (which could switch the role back) is refused by lock 1.
// Planning (lock 2) may evaluate built-in functions with constant arguments; lock 1 runs before it,
// so only functions it let through can be.
//
// Connections are pooled (a few idle ones kept); a connection found broken is replaced once per
// call. The password (from the DSN) never appears in a message: the server is named as
// user@host:port/dbname, and every message is scrubbed of it. Thread-safe.
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/sql_backend.h"

namespace ragrt::tools {

struct PgStatement;

class PostgresBackend : public SqlBackend {
 public:
  struct Options {
    std::string dsn;                              // libpq "key=value …" string or postgresql:// URL
    std::optional<std::set<std::string>> tables;  // names a model-written statement may read; nullopt: any
    std::string role;                             // SET LOCAL ROLE for every run; "" keeps the DSN's user
  };

  // Connects now, so an unreachable server or a rejected login is a config error. Throws
  // ragrt::Error (kInvalidArgument for a malformed DSN, kIo when it cannot connect).
  explicit PostgresBackend(Options options);
  ~PostgresBackend() override;

  std::string dialect() const override { return "PostgreSQL"; }
  std::vector<std::string> parameters(const std::string& sql) const override;
  // Through information_schema, the name resolved as a query would (search_path, schema.table).
  std::vector<std::string> columns_of(const std::string& table) const override;
  SqlOutcome run(const std::string& sql, const nlohmann::json& arguments, const SqlLimits& limits) const override;

  // Throws ragrt::Error when `role` cannot be taken or may not read a listed table. For config load.
  void check_role() const;

  const std::string& password() const { return password_; }  // "" when the DSN has none
  const std::string& server() const { return server_; }      // user@host:port/dbname, no password

  struct Connection;

 private:
  struct Call;
  std::unique_ptr<Connection> acquire(const SqlLimits& limits) const;
  void release(std::unique_ptr<Connection> c) const;
  SqlOutcome run_once(Call& call, const PgStatement& st, const nlohmann::json& arguments, const SqlLimits& limits) const;
  std::optional<SqlOutcome> check_model_statement(Call& call, const std::string& wrapped, const std::vector<std::string>& called,
                                                  const std::vector<std::string>& operators) const;
  std::optional<SqlOutcome> check_names(Call& call, const std::vector<std::string>& called, const std::vector<std::string>& operators) const;
  std::string scrub(std::string text) const;

  Options o_;
  std::string password_;
  std::string server_;
  std::set<std::string> readable_;  // "schema.relation" of the listed tables and their partitions
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace ragrt::tools
