#pragma once
// SQLite for the `sql` tool, read-only by three independent locks: the file is opened read-only
// (URI mode=ro), the connection is query_only, and an authorizer allows nothing but SELECT, reading
// columns, functions and recursive CTEs (no ATTACH, PRAGMA, writes, transactions). With `tables`
// set, the authorizer also denies reading any table not listed (sqlite_master included), so a
// model-written statement sees only what the config exposes; reading a view reads its tables, so
// they must be listed too. Connections are pooled; thread-safe.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/sql_backend.h"

namespace ragrt::tools {

class SqliteBackend : public SqlBackend {
 public:
  // Opens the database now, so a missing or corrupt file is a config error. `tables`: names
  // (case-insensitive) a statement may read; nullopt for any (operator-written queries).
  SqliteBackend(std::filesystem::path path, std::optional<std::set<std::string>> tables);
  ~SqliteBackend() override;

  std::string dialect() const override { return "SQLite"; }
  std::vector<std::string> parameters(const std::string& sql) const override;
  std::vector<std::string> columns_of(const std::string& table) const override;
  SqlOutcome run(const std::string& sql, const nlohmann::json& arguments, const SqlLimits& limits) const override;

  struct Connection;

 private:
  std::unique_ptr<Connection> acquire() const;
  void release(std::unique_ptr<Connection> c) const;

  std::filesystem::path path_;
  std::optional<std::set<std::string>> tables_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace ragrt::tools
