#include "tools/sql_tool.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/trace.h"
#include "tools/postgres_backend.h"
#include "tools/sqlite_backend.h"
#include "tools/tool_config.h"

namespace ragrt::tools {

using Clock = std::chrono::steady_clock;

ToolResult SqlTool::call(const nlohmann::json& arguments, const ToolCallOptions& options) const {
  const auto start = Clock::now();
  ToolResult result = check_arguments(schema_, arguments);
  if (!result.ok()) return result;

  double timeout_s = p_.timeout_s;
  if (options.timeout.count() > 0) timeout_s = std::min(timeout_s, options.timeout.count() / 1000.0);
  SqlLimits limits;
  limits.max_rows = p_.max_rows;
  limits.timeout_s = timeout_s;
  limits.deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  limits.cancel = options.cancel.get();
  const std::string& sql = p_.mode == Mode::kNamedQuery ? p_.query : arguments["sql"].get_ref<const std::string&>();
  SqlOutcome out = backend_->run(sql, p_.mode == Mode::kNamedQuery ? arguments : nlohmann::json::object(), limits);

  result.attempts = 1;
  result.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (out.status != ToolStatus::kOk) {
    result.status = out.status;
    if (out.message.find("timed out") != std::string::npos || out.message.find("cancelled") != std::string::npos)
      result.outcome = ToolOutcome::kTimeout;
    result.content = std::move(out.message);
    return result;
  }
  result.data = {{"columns", out.columns}, {"rows", std::move(out.rows)}, {"truncated", out.truncated}};
  result.content = result.data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  result.bytes = result.content.size();
  return result;
}

namespace {

// The schema of read_only_query mode, with the readable tables and their columns in the
// description so that the model can write the statement without asking for the schema first.
nlohmann::ordered_json sql_parameters(const SqlBackend& db, const std::vector<std::string>& tables, size_t max_rows) {
  std::vector<std::string> shapes;
  for (const std::string& t : tables) shapes.push_back(fmt::format("{}({})", t, fmt::join(db.columns_of(t), ", ")));
  const std::string description = fmt::format("One {} SELECT statement. Readable tables: {}. At most {} rows are returned.", db.dialect(),
                                              fmt::join(shapes, "; "), max_rows);
  return {{"type", "object"},
          {"properties", {{"sql", {{"type", "string"}, {"description", description}}}}},
          {"required", {"sql"}},
          {"additionalProperties", false}};
}

}  // namespace

std::shared_ptr<Tool> make_sql_tool(const ComponentSpec& c) {
  const config::YamlReader& r = *c.reader;
  const YAML::Node& n = c.node;
  r.only_keys(n, c.key, {"type", "description", "parameters", "summary", "on_error", "degraded_after", "database", "dsn", "role", "query", "mode", "tables", "max_rows",
                         "timeout_s"});
  auto key = [&](const char* k) { return c.key + "." + k; };

  SqlTool::Params p;
  if (n["mode"]) {
    const std::string mode = r.string(n["mode"], key("mode"));
    if (mode == "read_only_query") {
      p.mode = SqlTool::Mode::kReadOnlyQuery;
    } else if (mode != "named_query") {
      r.fail(n["mode"], key("mode"), fmt::format("unknown mode '{}' (expected named_query or read_only_query)", mode));
    }
  }
  if (n["max_rows"]) p.max_rows = r.count(n["max_rows"], key("max_rows"), 1);
  if (n["timeout_s"]) {
    p.timeout_s = r.number(n["timeout_s"], key("timeout_s"));
    if (!(p.timeout_s > 0)) r.fail(n["timeout_s"], key("timeout_s"), "must be greater than 0");
  }
  if (!n["database"] && !n["dsn"])
    r.fail(n, key("database"), "missing: the SQLite file to read (database) or a PostgreSQL connection string (dsn)");
  if (n["database"] && n["dsn"]) r.fail(n["dsn"], key("dsn"), "database and dsn exclude each other: one tool reads one database");
  if (n["role"] && !n["dsn"]) r.fail(n["role"], key("role"), "only used with dsn (PostgreSQL)");
  const bool named = p.mode == SqlTool::Mode::kNamedQuery;
  for (const char* k : {"query", "parameters"}) {
    if (!named && n[k]) r.fail(n[k], key(k), "not used with mode: read_only_query (the model writes the statement)");
  }
  if (named && n["tables"]) r.fail(n["tables"], key("tables"), "only used with mode: read_only_query");
  if (named && !n["query"]) r.fail(n, key("query"), "missing: the SELECT to run, with :named parameters");
  if (!named && !n["tables"]) r.fail(n, key("tables"), "missing: the tables the model's SELECT may read");

  std::vector<std::string> tables;
  if (!named) {
    tables = r.strings(n["tables"], key("tables"));
    if (tables.empty()) r.fail(n["tables"], key("tables"), "must list at least one table");
  }
  std::shared_ptr<SqlBackend> db;
  std::shared_ptr<PostgresBackend> pg;
  auto allowed = named ? std::nullopt : std::optional<std::set<std::string>>(std::set<std::string>(tables.begin(), tables.end()));
  if (n["dsn"]) {
    PostgresBackend::Options o;
    o.dsn = r.env_string(n["dsn"], key("dsn"));
    o.tables = std::move(allowed);
    if (n["role"]) o.role = r.string(n["role"], key("role"));
    try {
      db = pg = std::make_shared<PostgresBackend>(std::move(o));
    } catch (const Error& e) {
      r.fail(n["dsn"], key("dsn"), e.what());
    }
    // ${ENV} values are registered as they expand; a password written into the file is not.
    Redactor::global().add_secret(pg->password());
    if (!pg->password().empty()) p.secrets.push_back(pg->password());
  } else {
    try {
      db = std::make_shared<SqliteBackend>(r.path(n["database"], key("database")), std::move(allowed));
    } catch (const Error& e) {
      r.fail(n["database"], key("database"), e.what());
    }
  }
  // The role first: a listed table it may not read would otherwise look missing.
  if (pg && n["role"]) {
    try {
      pg->check_role();
    } catch (const Error& e) {
      r.fail(n["role"], key("role"), e.what());
    }
  }
  for (size_t i = 0; i < tables.size(); ++i) {
    if (db->columns_of(tables[i]).empty()) {
      const YAML::Node at = n["tables"].IsSequence() ? n["tables"][i] : n["tables"];
      r.fail(at, key("tables"), fmt::format("no table '{}' in the database", tables[i]));
    }
  }

  p.spec = read_tool_spec(c, named ? ToolSpec().parameters : sql_parameters(*db, tables, p.max_rows));
  JsonSchema schema = compile_parameters(c, p.spec);
  if (named) {
    p.query = r.string(n["query"], key("query"));
    std::vector<std::string> used;
    try {
      used = db->parameters(p.query);
    } catch (const Error& e) {
      r.fail(n["query"], key("query"), e.what());
    }
    std::vector<std::string> properties;
    const nlohmann::ordered_json schema_properties = p.spec.parameters.value("properties", nlohmann::ordered_json::object());
    for (const auto& [name, s] : schema_properties.items()) properties.push_back(name);
    for (const std::string& u : used) {
      if (std::find(properties.begin(), properties.end(), u) == properties.end())
        r.fail(n["query"], key("query"), fmt::format(":{} is not a property of parameters (properties: {})", u, fmt::join(properties, ", ")));
    }
    for (const std::string& prop : properties) {
      if (std::find(used.begin(), used.end(), prop) == used.end())
        r.fail(n["parameters"], key("parameters"), fmt::format("property '{}' is not a parameter of the query (write :{} in it)", prop, prop));
    }
  }
  return std::make_shared<SqlTool>(std::move(p), std::move(schema), std::move(db));
}

}  // namespace ragrt::tools
