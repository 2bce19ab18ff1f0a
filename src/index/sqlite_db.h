#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements whose failures
// throw ragrt::Error naming the database file and the SQL that failed.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ragrt::index {

class SqliteStatement;

class SqliteDb {
 public:
  // Opens (creating when `create`) the database in WAL mode with foreign keys on.
  SqliteDb(const std::filesystem::path& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  const std::filesystem::path& path() const { return path_; }
  sqlite3* handle() const { return db_; }
  [[noreturn]] void fail(std::string_view what, int rc) const;

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Binding is 1-based as in SQLite; each returns *this to chain.
  SqliteStatement& bind(int i, int64_t v);
  SqliteStatement& bind(int i, double v);
  SqliteStatement& bind(int i, std::string_view v);
  SqliteStatement& bind_blob(int i, const void* data, size_t bytes);
  SqliteStatement& bind_null(int i);
  // Advances; true while a row is available.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string column_text(int i) const;
  std::string_view column_blob(int i) const;
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit().
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDb& db_;
  bool open_ = true;
};

}  // namespace ragrt::index
