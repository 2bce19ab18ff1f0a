#pragma once
// The `sql` tool: read-only SQL over a database the config names, in one of two modes.
//
//   named_query (default): the config's `query` with :named parameters, prepared at load (its
//     parameters must be exactly the schema's properties); arguments are bound, never spliced.
//   read_only_query: the model writes one SELECT ({"sql": "..."}); it may read only `tables`.
//
// Results: data = {"columns": [...], "rows": [[...], ...], "truncated": bool}, content the same as
// compact JSON; at most max_rows rows. Only SQLite for now (see SqlBackend for the seam).
#include <memory>
#include <string>

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
  };

  SqlTool(Params params, JsonSchema schema, std::shared_ptr<const SqlBackend> backend)
      : p_(std::move(params)), schema_(std::move(schema)), backend_(std::move(backend)) {}

  const ToolSpec& spec() const override { return p_.spec; }
  std::string type() const override { return "sql"; }
  ToolResult call(const nlohmann::json& arguments, const ToolCallOptions& options = {}) const override;

 private:
  Params p_;
  JsonSchema schema_;
  std::shared_ptr<const SqlBackend> backend_;
};

// Registry<Tool> factory for `type: sql`; config errors name file, line and column.
std::shared_ptr<Tool> make_sql_tool(const ComponentSpec& c);

}  // namespace ragrt::tools
