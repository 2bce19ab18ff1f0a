// TraceStore on SQLite (lookups, listing) plus a JSON-lines file (append-only, easy to ship to a
// log pipeline). Both get the redacted trace only.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>

#include <fmt/format.h>

#include "index/sqlite_db.h"
#include "ragrt/error.h"
#include "ragrt/trace.h"
#include "text/utf8.h"
#include "util/utc_time.h"

namespace ragrt {
namespace {

constexpr size_t kMinPrefix = 8;
constexpr size_t kListedChars = 200;  // of a question or answer in a listing
constexpr size_t kMaxListed = 1000;   // traces in one page

std::string attribute(const nlohmann::ordered_json& trace, const char* key) {
  if (!trace.contains("root") || !trace["root"].contains("attributes")) return "";
  const auto& a = trace["root"]["attributes"];
  const auto it = a.find(key);
  return it != a.end() && it->is_string() ? it->get<std::string>() : "";
}

// LIKE with the pattern's own wildcards taken literally.
std::string like_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// "STARTED_AT|TRACE_ID" of the last row of a page: the next page starts after it.
std::string cursor_of(const std::string& started_at, const std::string& id) { return started_at + "|" + id; }

class SqliteTraceStore final : public TraceStore {
 public:
  explicit SqliteTraceStore(const std::filesystem::path& dir)
      : db_path_(dir / "traces.sqlite"), jsonl_path_(dir / "traces.jsonl"), db_(db_path_, /*create=*/true) {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS traces (trace_id TEXT PRIMARY KEY, kind TEXT, started_at TEXT, "
        "duration_ms REAL, status TEXT, json TEXT NOT NULL)");
    db_.exec("CREATE INDEX IF NOT EXISTS traces_started ON traces(started_at)");
    // Stores written before these columns existed gain them; their old rows list with them empty.
    std::vector<std::string> columns;
    auto info = db_.prepare("PRAGMA table_info(traces)");
    while (info.step()) columns.push_back(info.column_text(1));
    for (const char* c : {"pipeline", "session", "question", "answer"}) {
      if (std::find(columns.begin(), columns.end(), c) == columns.end())
        db_.exec(fmt::format("ALTER TABLE traces ADD COLUMN {} TEXT NOT NULL DEFAULT ''", c));
    }
  }

  void save(const nlohmann::ordered_json& trace) override {
    const nlohmann::ordered_json clean = Redactor::global().redact(trace);
    const std::string id = clean.value("trace_id", "");
    if (id.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "trace without a trace_id: not saved to {}", db_path_.string());
    // A request with invalid UTF-8 (rejected by the pipeline) is audited too: such bytes are
    // stored as U+FFFD rather than losing the whole trace.
    const std::string text = clean.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::lock_guard lock(mutex_);
    db_.prepare(
           "INSERT OR REPLACE INTO traces (trace_id, kind, started_at, duration_ms, status, json, pipeline, session, "
           "question, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, id)
        .bind(2, clean.value("kind", ""))
        .bind(3, clean.value("started_at", ""))
        .bind(4, clean.value("duration_ms", 0.0))
        .bind(5, clean.contains("root") ? clean.at("root").value("status", "ok") : std::string("ok"))
        .bind(6, text)
        .bind(7, attribute(clean, "pipeline"))
        .bind(8, attribute(clean, "session"))
        .bind(9, attribute(clean, "question"))
        .bind(10, attribute(clean, "answer"))
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

  TracePage list(const TraceQuery& q) const override {
    std::string where = "1";
    std::vector<std::string> values;
    auto add = [&](const std::string& value, const char* clause) {
      if (value.empty()) return;
      where += std::string(" AND ") + clause;
      values.push_back(value);
    };
    add(q.since, "started_at >= ?");
    add(q.until, "started_at < ?");
    add(q.pipeline, "pipeline = ?");
    add(q.status, "status = ?");
    add(q.session, "session = ?");
    if (!q.text.empty()) {
      where += " AND (question LIKE ? ESCAPE '\\' OR answer LIKE ? ESCAPE '\\')";
      values.push_back(like_pattern(q.text));
      values.push_back(like_pattern(q.text));
    }
    if (!q.cursor.empty()) {
      const size_t bar = q.cursor.rfind('|');
      static const std::regex kId("[0-9a-f]{32}");
      if (bar == std::string::npos || !std::regex_match(q.cursor.substr(bar + 1), kId))
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "cursor: '{}' is not a cursor this store handed out (next_cursor)",
                         text::first_chars(q.cursor, 80));
      where += " AND (started_at < ? OR (started_at = ? AND trace_id < ?))";
      values.push_back(q.cursor.substr(0, bar));
      values.push_back(q.cursor.substr(0, bar));
      values.push_back(q.cursor.substr(bar + 1));
    }
    const size_t limit = std::clamp<size_t>(q.limit, 1, kMaxListed);
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT trace_id, kind, pipeline, started_at, duration_ms, status, session, question, answer FROM traces WHERE " +
        where + " ORDER BY started_at DESC, trace_id DESC LIMIT ?");
    int i = 1;
    for (const auto& v : values) stmt.bind(i++, v);
    stmt.bind(i, static_cast<int64_t>(limit + 1));  // one more says whether a next page exists
    TracePage page;
    while (stmt.step()) {
      if (page.traces.size() == limit) {
        const auto& last = page.traces.back();
        page.next_cursor = cursor_of(last["started_at"].get<std::string>(), last["trace_id"].get<std::string>());
        break;
      }
      page.traces.push_back({{"trace_id", stmt.column_text(0)},
                             {"kind", stmt.column_text(1)},
                             {"pipeline", stmt.column_text(2)},
                             {"started_at", stmt.column_text(3)},
                             {"duration_ms", stmt.column_double(4)},
                             {"status", stmt.column_text(5)},
                             {"session", stmt.column_text(6)},
                             {"question", text::first_chars(stmt.column_text(7), kListedChars)},
                             {"answer", text::first_chars(stmt.column_text(8), kListedChars)}});
    }
    return page;
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

std::vector<nlohmann::ordered_json> TraceStore::recent(size_t limit) const {
  TraceQuery q;
  q.limit = limit;
  return list(q).traces;
}

std::string normalize_trace_time(const std::string& text, const std::string& field,
                                 std::chrono::system_clock::time_point now) {
  static const std::regex kSpan("([0-9]{1,6})([smhd])");
  static const std::regex kDate(
      "([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]{1,9}))?)?)?Z?");
  std::smatch m;
  if (std::regex_match(text, m, kSpan)) {
    const long n = std::stol(m[1]);
    const long unit = m[2] == "s" ? 1 : m[2] == "m" ? 60 : m[2] == "h" ? 3600 : 86400;
    return util::iso8601_utc(now - std::chrono::seconds(n * unit));
  }
  if (std::regex_match(text, m, kDate)) {
    auto num = [&](size_t i) { return m[i].matched ? std::stoi(m[i]) : 0; };
    const int month = num(2), day = num(3), hour = num(4), minute = num(5), second = num(6);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61) {
      std::string fraction = m[7].matched ? m[7].str() : "";
      fraction = (fraction + "000").substr(0, 3);
      return fmt::format("{}-{}-{}T{:02}:{:02}:{:02}.{}Z", m[1].str(), m[2].str(), m[3].str(), hour, minute, second,
                         fraction);
    }
  }
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                   "{}: '{}' is not a time: give a UTC date and time (2026-12-07, 2026-12-07T10:00:00Z) or a span "
                   "back from now (30s, 15m, 2h, 7d)",
                   field, text::first_chars(text, 40));
}

std::unique_ptr<TraceStore> TraceStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot create trace directory {}: {}", dir.string(),
                     ec ? ec.message() : "not a directory");
  return std::make_unique<SqliteTraceStore>(dir);
}

}  // namespace ragrt
