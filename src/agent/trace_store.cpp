// TraceStore on SQLite (lookups, listing) plus a JSON-lines file (append-only, easy to ship to a
// log pipeline). Both get the redacted trace only.
#include <algorithm>
#include <cctype>
#include <fstream>

#include "index/sqlite_db.h"
#include "ragrt/error.h"
#include "ragrt/trace.h"

namespace ragrt {
namespace {

constexpr size_t kMinPrefix = 8;

class SqliteTraceStore final : public TraceStore {
 public:
  explicit SqliteTraceStore(const std::filesystem::path& dir)
      : db_path_(dir / "traces.sqlite"), jsonl_path_(dir / "traces.jsonl"), db_(db_path_, /*create=*/true) {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS traces (trace_id TEXT PRIMARY KEY, kind TEXT, started_at TEXT, "
        "duration_ms REAL, status TEXT, json TEXT NOT NULL)");
    db_.exec("CREATE INDEX IF NOT EXISTS traces_started ON traces(started_at)");
  }

  void save(const nlohmann::ordered_json& trace) override {
    const nlohmann::ordered_json clean = Redactor::global().redact(trace);
    const std::string id = clean.value("trace_id", "");
    if (id.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "trace without a trace_id: not saved to {}", db_path_.string());
    // A request with invalid UTF-8 (rejected by the pipeline) is audited too: such bytes are
    // stored as U+FFFD rather than losing the whole trace.
    const std::string text = clean.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    db_.prepare("INSERT OR REPLACE INTO traces (trace_id, kind, started_at, duration_ms, status, json) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, id)
        .bind(2, clean.value("kind", ""))
        .bind(3, clean.value("started_at", ""))
        .bind(4, clean.value("duration_ms", 0.0))
        .bind(5, clean.contains("root") ? clean.at("root").value("status", "ok") : std::string("ok"))
        .bind(6, text)
        .run();
    append_line(text);
  }

  std::optional<nlohmann::ordered_json> load(const std::string& trace_id) const override {
    std::string id = trace_id;
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
    // Only hex can match, and checking it keeps GLOB's wildcards out of the pattern.
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); }))
      return std::nullopt;
    if (id.size() < kMinPrefix)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "trace id '{}' is too short: give at least {} characters", trace_id,
                       kMinPrefix);
    std::lock_guard lock(mutex_);
    // GLOB 'prefix*' is case-sensitive, so SQLite answers it from the primary-key index.
    auto stmt = db_.prepare("SELECT trace_id, json FROM traces WHERE trace_id GLOB ? ORDER BY trace_id LIMIT 4");
    stmt.bind(1, id + "*");
    std::vector<std::pair<std::string, std::string>> rows;
    while (stmt.step()) rows.emplace_back(stmt.column_text(0), stmt.column_text(1));
    if (rows.empty()) return std::nullopt;
    if (rows.size() > 1 && rows[0].first != id) {
      std::string ids;
      for (const auto& r : rows) ids += (ids.empty() ? "" : ", ") + r.first;
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "trace id prefix '{}' is ambiguous in {}: matches {}{}", trace_id,
                       db_path_.string(), ids, rows.size() == 4 ? ", …" : "");
    }
    return nlohmann::ordered_json::parse(rows[0].second);
  }

  std::vector<nlohmann::ordered_json> recent(size_t limit) const override {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT trace_id, kind, started_at, duration_ms, status FROM traces ORDER BY started_at DESC, rowid DESC LIMIT ?");
    stmt.bind(1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    std::vector<nlohmann::ordered_json> out;
    while (stmt.step()) {
      out.push_back({{"trace_id", stmt.column_text(0)},
                     {"kind", stmt.column_text(1)},
                     {"started_at", stmt.column_text(2)},
                     {"duration_ms", stmt.column_double(3)},
                     {"status", stmt.column_text(4)}});
    }
    return out;
  }

 private:
  // Opened on the first save, so that reading a store (`ragrt trace show`) never writes to it.
  void append_line(const std::string& text) {
    if (!jsonl_.is_open()) {
      jsonl_.open(jsonl_path_, std::ios::app | std::ios::binary);
      if (!jsonl_) RAGRT_THROW_KIND(ErrorKind::kIo, "cannot open trace log {} for appending", jsonl_path_.string());
    }
    jsonl_ << text << '\n';
    jsonl_.flush();  // a crash loses no finished trace
    if (!jsonl_) {
      jsonl_.close();  // the next save opens it afresh instead of failing forever
      jsonl_.clear();
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot write to trace log {}", jsonl_path_.string());
    }
  }

  std::filesystem::path db_path_, jsonl_path_;
  mutable std::mutex mutex_;
  mutable index::SqliteDb db_;
  std::ofstream jsonl_;
};

}  // namespace

std::unique_ptr<TraceStore> TraceStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot create trace directory {}: {}", dir.string(),
                     ec ? ec.message() : "not a directory");
  return std::make_unique<SqliteTraceStore>(dir);
}

}  // namespace ragrt
