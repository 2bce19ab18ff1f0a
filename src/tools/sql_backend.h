#pragma once
// The database side of the `sql` tool, so that the tool (YAML, schema, result shape) stays the same
// when PostgreSQL joins SQLite: a backend compiles statements at load and runs one read-only
// statement per call under a row cap and a deadline.
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/tool.h"

namespace ragrt::tools {

struct SqlLimits {
  size_t max_rows = 50;
  std::chrono::steady_clock::time_point deadline;
  double timeout_s = 0;                    // for the message only
  const std::atomic<bool>* cancel = nullptr;
};

struct SqlOutcome {
  ToolStatus status = ToolStatus::kOk;
  std::string message;  // when not ok: one sentence for the model
  std::vector<std::string> columns;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();  // arrays of cells
  bool truncated = false;                                         // more rows than max_rows

  static SqlOutcome failure(ToolStatus status, std::string message) {
    SqlOutcome out;
    out.status = status;
    out.message = std::move(message);
    return out;
  }
};

class SqlBackend {
 public:
  virtual ~SqlBackend() = default;
  // "SQLite", "PostgreSQL": tells the model which SQL to write (read_only_query mode).
  virtual std::string dialect() const = 0;
  // Compiles `sql` (one statement) and returns its named parameters without their prefix, in
  // order. Throws ragrt::Error with the database's message when it does not compile, is more than
  // one statement, writes, or uses positional (?) parameters. For config load.
  virtual std::vector<std::string> parameters(const std::string& sql) const = 0;
  // Column names of `table`; empty when there is no such table.
  virtual std::vector<std::string> columns_of(const std::string& table) const = 0;
  // One statement with `arguments` bound by parameter name (absent: NULL). Never throws.
  virtual SqlOutcome run(const std::string& sql, const nlohmann::json& arguments, const SqlLimits& limits) const = 0;
};

}  // namespace ragrt::tools
