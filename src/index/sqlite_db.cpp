#include "index/sqlite_db.h"

#include "ragrt/error.h"

namespace ragrt::index {

SqliteDb::SqliteDb(const std::filesystem::path& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    RAGRT_THROW_KIND(rc == SQLITE_CANTOPEN ? ErrorKind::kNotFound : ErrorKind::kIo, "cannot open database {}: {}",
                     path.string(), msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");  // WAL + NORMAL: a crash loses at most the last commits, never consistency
  exec("PRAGMA foreign_keys=ON");
}

SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close_v2(db_);
}

void SqliteDb::fail(std::string_view what, int rc) const {
  ErrorKind kind = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? ErrorKind::kInvalidModel : ErrorKind::kIo;
  RAGRT_THROW_KIND(kind, "database {}: {} failed: {}", path_.string(), what, sqlite3_errmsg(db_));
}

void SqliteDb::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    ErrorKind kind = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? ErrorKind::kInvalidModel : ErrorKind::kIo;
    RAGRT_THROW_KIND(kind, "database {}: \"{}\" failed: {}", path_.string(), s.substr(0, 80), msg);
  }
}

SqliteStatement SqliteDb::prepare(std::string_view sql) { return SqliteStatement(*this, sql); }

SqliteStatement::SqliteStatement(SqliteDb& db, std::string_view sql) : db_(&db), sql_(sql) {
  int rc = sqlite3_prepare_v2(db.handle(), sql_.data(), static_cast<int>(sql_.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail("preparing \"" + sql_.substr(0, 80) + "\"", rc);
}

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

SqliteStatement& SqliteStatement::bind(int i, int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) db_->fail("binding", rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int i, double v) {
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) db_->fail("binding", rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail("binding", rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int i, const void* data, size_t bytes) {
  if (int rc = sqlite3_bind_blob64(stmt_, i, data, bytes, SQLITE_TRANSIENT); rc != SQLITE_OK) db_->fail("binding", rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int i) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) db_->fail("binding", rc);
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail("\"" + sql_.substr(0, 80) + "\"", rc);
}

void SqliteStatement::run() {
  while (step()) {
  }
  reset();
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::column_text(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i)) : std::string();
}

std::string_view SqliteStatement::column_blob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  return p ? std::string_view(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, i)) : std::string_view();
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace ragrt::index
