#pragma once
// The `sql` tool: read-only SQL over a database the config names, in one of two modes.
//
//   named_query (default): the config's `query` with :named parameters, compiled at load (its
//     parameters must be exactly the schema's properties); arguments are bound, never spliced.
//   read_only_query: the model writes one SELECT ({"sql": "..."}); it may read only `tables`.
//
//   customer_orders:
//     type: sql
//     database: data/orders.sqlite   # SQLite: a file, opened read-only (see SqliteBackend)
//     dsn: ${PG_DSN}                 # or PostgreSQL: a libpq string or postgresql:// URL (see PostgresBackend)
//     role: ragrt_reader             # PostgreSQL only, optional: SET LOCAL ROLE for every run
//     query: "SELECT order_id, status FROM orders WHERE customer_id = :customer_id"
//     parameters: {type: object, properties: {customer_id: {type: string}}, required: [customer_id]}
//     max_rows: 50
//     timeout_s: 5
//
// Results: data = {"columns": [...], "rows": [[...], ...], "truncated": bool}, content the same as
// compact JSON; at most max_rows rows. `database` and `dsn` exclude each other; ${ENV} in `dsn` is
// expanded at load, and the DSN's password is a secret (secrets(), the trace Redactor) that no
// message repeats.
#include <memory>
#include <string>
#include <vector>

#include "ragrt/registry.h"
#include "ragrt/tool.h"
#include "tools/json_schema.h"
#include "tools/sql_backend.h"

namespace ragrt::tools {

class SqlTool : public Tool {
 public:
  enum class Mode { kNamedQuery, kReadOnlyQuery };
  struct Params {
    ToolSpec spec;
    Mode mode = Mode::kNamedQuery;
    std::string query;  // kNamedQuery
    size_t max_rows = 50;
    double timeout_s = 5;
    std::vector<std::string> secrets;  // the DSN's password
  };

  SqlTool(Params params, JsonSchema schema, std::shared_ptr<const SqlBackend> backend)
      : p_(std::move(params)), schema_(std::move(schema)), backend_(std::move(backend)) {}

  const ToolSpec& spec() const override { return p_.spec; }
  std::string type() const override { return "sql"; }
  ToolResult call(const nlohmann::json& arguments, const ToolCallOptions& options = {}) const override;

  // Values to register with the trace Redactor (make_sql_tool does).
  const std::vector<std::string>& secrets() const { return p_.secrets; }

 private:
  Params p_;
  JsonSchema schema_;
  std::shared_ptr<const SqlBackend> backend_;
};

// Registry<Tool> factory for `type: sql`; config errors name file, line and column.
std::shared_ptr<Tool> make_sql_tool(const ComponentSpec& c);

}  // namespace ragrt::tools
