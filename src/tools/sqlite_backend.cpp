#include "tools/sqlite_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "text/utf8.h"

namespace ragrt::tools {

namespace {

constexpr size_t kMaxIdle = 4;          // pooled connections kept open
constexpr int kProgressEveryOps = 1000;  // VM steps between deadline checks (well under a millisecond)

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// file: URI of a path, so that mode=ro applies whatever characters the path holds.
std::string file_uri(const std::filesystem::path& p) {
  std::string out = "file:";
  for (unsigned char c : std::filesystem::absolute(p).string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out + "?mode=ro";
}

const char* action_name(int action) {
  switch (action) {
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_PRAGMA: return "PRAGMA";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_TRANSACTION: return "a transaction";
    case SQLITE_SAVEPOINT: return "a savepoint";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_DROP_TABLE: case SQLITE_DROP_VIEW: case SQLITE_DROP_INDEX: case SQLITE_DROP_TRIGGER: return "DROP";
    case SQLITE_CREATE_TABLE: case SQLITE_CREATE_VIEW: case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TRIGGER: return "CREATE";
    default: return "this statement";
  }
}

bool only_space(const char* s) {
  while (*s && std::isspace(static_cast<unsigned char>(*s))) ++s;
  return *s == 0;
}

nlohmann::ordered_json cell(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(stmt, i);
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_NULL: return nullptr;
    case SQLITE_BLOB: return fmt::format("[blob, {} bytes]", sqlite3_column_bytes(stmt, i));
    default: {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return text::from_utf8_lossy(std::string_view(t ? t : "", sqlite3_column_bytes(stmt, i)));
    }
  }
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

}  // namespace

struct SqliteBackend::Connection {
  sqlite3* db = nullptr;
  const std::optional<std::set<std::string>>* tables = nullptr;
  // Set by the callbacks, read after prepare / step.
  std::string denied_table;
  const char* denied_action = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;
  bool timed_out = false, cancelled = false;
  bool multiple_statements = false;

  ~Connection() {
    if (db) sqlite3_close_v2(db);
  }

  void reset_call(const SqlLimits* limits) {
    denied_table.clear();
    denied_action = nullptr;
    timed_out = cancelled = multiple_statements = false;
    deadline = limits ? limits->deadline : std::chrono::steady_clock::time_point::max();
    cancel = limits ? limits->cancel : nullptr;
  }

  static int authorize(void* user, int action, const char* a3, const char*, const char* dbname, const char*) {
    auto& c = *static_cast<Connection*>(user);
    switch (action) {
      case SQLITE_SELECT:
      case SQLITE_FUNCTION:
      case SQLITE_RECURSIVE:
        return SQLITE_OK;
      case SQLITE_READ: {
        // No database name: a CTE or subquery, whose own reads come through here separately.
        if (!c.tables->has_value() || !dbname) return SQLITE_OK;
        const auto& allowed = **c.tables;
        const std::string table = lower(a3 ? a3 : "");
        // The last argument (the view or CTE the read comes through) is no evidence: a CTE may take
        // the name of a listed table. Every base table read must be listed itself.
        if (allowed.count(table)) return SQLITE_OK;
        if (c.denied_table.empty()) c.denied_table = a3 ? a3 : "";
        return SQLITE_DENY;
      }
      default:
        if (!c.denied_action) c.denied_action = action_name(action);
        return SQLITE_DENY;
    }
  }

  static int progress(void* user) {
    auto& c = *static_cast<Connection*>(user);
    if (c.cancel && c.cancel->load()) c.cancelled = true;
    if (std::chrono::steady_clock::now() > c.deadline) c.timed_out = true;
    return c.cancelled || c.timed_out;
  }

  // Prepares exactly one statement; a second one, even a harmless one, is an error.
  int prepare(const std::string& sql, Stmt& out, std::string& error) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
    out.reset(raw);
    if (rc != SQLITE_OK) {
      error = sqlite3_errmsg(db);
      return rc;
    }
    while (tail && !only_space(tail)) {
      sqlite3_stmt* next = nullptr;
      const char* before = tail;
      rc = sqlite3_prepare_v2(db, tail, -1, &next, &tail);
      Stmt guard(next);
      if (rc == SQLITE_OK && !next && tail == before) break;  // nothing left that SQLite would read
      if (rc != SQLITE_OK || next) {
        multiple_statements = true;
        error = "only one statement is allowed";
        return SQLITE_MISUSE;
      }
    }
    return SQLITE_OK;
  }
};

SqliteBackend::SqliteBackend(std::filesystem::path path, std::optional<std::set<std::string>> tables)
    : path_(std::move(path)) {
  if (tables) {
    tables_.emplace();
    for (const std::string& t : *tables) tables_->insert(lower(t));
  }
  if (!std::filesystem::is_regular_file(path_))
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "no database file at {}", path_.string());
  release(acquire());
}

SqliteBackend::~SqliteBackend() = default;

std::unique_ptr<SqliteBackend::Connection> SqliteBackend::acquire() const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>();
  c->tables = &tables_;
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file_uri(path_).c_str(), &c->db, flags, nullptr);
  auto fail = [&](const std::string& what) {
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot open database {} read-only: {}", path_.string(), what);
  };
  if (rc != SQLITE_OK) fail(c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
  // A database file is untrusted input too: no extensions, no schema-defined functions in views.
  sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(c->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_limit(c->db, SQLITE_LIMIT_ATTACHED, 0);
  // Reading the schema now also tells a database from any other file.
  char* err = nullptr;
  if (sqlite3_exec(c->db, "PRAGMA query_only=1; SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    fail(msg);
  }
  sqlite3_set_authorizer(c->db, &Connection::authorize, c.get());
  sqlite3_progress_handler(c->db, kProgressEveryOps, &Connection::progress, c.get());
  return c;
}

void SqliteBackend::release(std::unique_ptr<Connection> c) const {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(c));
}

std::vector<std::string> SqliteBackend::parameters(const std::string& sql) const {
  auto c = acquire();
  c->reset_call(nullptr);
  Stmt stmt;
  std::string error;
  if (c->prepare(sql, stmt, error) != SQLITE_OK) {
    if (c->denied_action) error = fmt::format("only SELECT is allowed ({} is not)", c->denied_action);
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "does not compile: {}", error);
  }
  if (!stmt) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "is empty");
  if (!sqlite3_stmt_readonly(stmt.get())) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "must be a read-only SELECT");
  std::vector<std::string> names;
  for (int i = 1; i <= sqlite3_bind_parameter_count(stmt.get()); ++i) {
    const char* name = sqlite3_bind_parameter_name(stmt.get(), i);
    if (!name || name[0] == '?')
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "uses a positional parameter; name it (:name) after a property of parameters");
    names.emplace_back(name + 1);
  }
  release(std::move(c));
  return names;
}

std::vector<std::string> SqliteBackend::columns_of(const std::string& table) const {
  // The authorizer (rightly) refuses PRAGMA, so this asks a fresh connection without one.
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(file_uri(path_).c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &raw, nullptr) == SQLITE_OK) {
      Stmt stmt(raw);
      sqlite3_bind_text(raw, 1, table.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(raw) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)));
    }
  }
  sqlite3_close_v2(db);
  return out;
}

SqlOutcome SqliteBackend::run(const std::string& sql, const nlohmann::json& arguments, const SqlLimits& limits) const {
  SqlOutcome out;
  auto fail = &SqlOutcome::failure;
  std::unique_ptr<Connection> c;
  try {
    c = acquire();
  } catch (const std::exception& e) {
    return fail(ToolStatus::kFailed, e.what());
  }
  struct Release {
    const SqliteBackend& b;
    std::unique_ptr<Connection>& c;
    ~Release() { b.release(std::move(c)); }
  } release_on_exit{*this, c};
  c->reset_call(&limits);

  auto interrupted = [&] {
    return c->timed_out ? fail(ToolStatus::kFailed, fmt::format("query timed out after {:g} s", limits.timeout_s))
                        : fail(ToolStatus::kFailed, "query cancelled");
  };
  Stmt stmt;
  std::string error;
  if (c->prepare(sql, stmt, error) != SQLITE_OK) {
    if (c->multiple_statements)
      return fail(ToolStatus::kRefused, "only one SELECT statement is allowed; remove what follows the first");
    if (c->denied_action)
      return fail(ToolStatus::kRefused, fmt::format("only a SELECT statement is allowed ({} is not)", c->denied_action));
    if (!c->denied_table.empty()) {
      std::vector<std::string> allowed(tables_->begin(), tables_->end());
      return fail(ToolStatus::kRefused, fmt::format("table '{}' may not be read by this tool (allowed: {})",
                                                    c->denied_table, fmt::join(allowed, ", ")));
    }
    if (c->timed_out || c->cancelled) return interrupted();
    return fail(ToolStatus::kFailed, fmt::format("SQL error: {}", error));
  }
  if (!stmt) return fail(ToolStatus::kInvalidArguments, "the SQL statement is empty");
  if (!sqlite3_stmt_readonly(stmt.get())) return fail(ToolStatus::kRefused, "only a SELECT statement is allowed");

  for (int i = 1; i <= sqlite3_bind_parameter_count(stmt.get()); ++i) {
    const char* name = sqlite3_bind_parameter_name(stmt.get(), i);
    const nlohmann::json* v = nullptr;
    if (name && arguments.is_object()) {
      auto it = arguments.find(name + 1);
      if (it != arguments.end()) v = &*it;
    }
    sqlite3_stmt* s = stmt.get();
    if (!v || v->is_null()) {
      sqlite3_bind_null(s, i);
    } else if (v->is_boolean()) {
      sqlite3_bind_int64(s, i, v->get<bool>() ? 1 : 0);
    } else if (v->is_number_integer()) {
      sqlite3_bind_int64(s, i, v->get<int64_t>());
    } else if (v->is_number()) {
      sqlite3_bind_double(s, i, v->get<double>());
    } else {
      const std::string text = v->is_string() ? v->get<std::string>() : v->dump();
      sqlite3_bind_text64(s, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }

  const int ncol = sqlite3_column_count(stmt.get());
  for (int i = 0; i < ncol; ++i) out.columns.emplace_back(sqlite3_column_name(stmt.get(), i));
  while (true) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_INTERRUPT) return interrupted();
    if (rc != SQLITE_ROW) return fail(ToolStatus::kFailed, fmt::format("SQL error: {}", sqlite3_errmsg(c->db)));
    if (out.rows.size() == limits.max_rows) {
      out.truncated = true;
      break;
    }
    nlohmann::ordered_json row = nlohmann::ordered_json::array();
    for (int i = 0; i < ncol; ++i) row.push_back(cell(stmt.get(), i));
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace ragrt::tools
