#pragma once
// Audit traces: every request gets a trace id and a tree of timed spans (retrieve, rerank, tool
// calls, prompt, generate) with attributes. Stored by TraceStore in SQLite and as JSON lines;
// `ragrt trace show ID [--json]` prints one. Secrets never reach a trace: values registered with
// Redactor (expanded ${ENV} references of the config) and attributes whose key names a credential
// (authorization, api_key, password, token, secret, cookie) are replaced by "[redacted]" when the
// trace is stored or exported.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt {

// Span handle: attributes may be set until end(); children nest under it. Thread-safe (tool calls
// may run in parallel). A span not ended explicitly ends when the trace is finished.
class TraceSpan {
 public:
  void set(const std::string& key, nlohmann::ordered_json value);
  void fail(const std::string& error);  // status "error" with a message
  // Status "degraded" (an answer was given, without something it needed: a tool failed) unless
  // the span already failed.
  void degrade(const std::string& why);
  void end();
  std::shared_ptr<TraceSpan> child(const std::string& name);

  struct Node;  // opaque: defined in trace.cpp, named here only so its helpers can take one

 private:
  friend class Trace;
  TraceSpan(std::shared_ptr<Node> node, std::shared_ptr<std::mutex> mutex, std::chrono::steady_clock::time_point t0)
      : node_(std::move(node)), mutex_(std::move(mutex)), t0_(t0) {}
  std::shared_ptr<Node> node_;
  std::shared_ptr<std::mutex> mutex_;
  std::chrono::steady_clock::time_point t0_;
};

class Trace {
 public:
  // `kind`: the pipeline ("rag_qa", "agent"); `config_version`: the config's content hash.
  Trace(std::string kind, std::string config_version);
  const std::string& id() const { return id_; }  // 32 hex characters, random
  std::shared_ptr<TraceSpan> root() { return root_; }
  // Ends open spans and returns the tree:
  // {"trace_id", "kind", "config_version", "started_at" (ISO 8601 UTC, milliseconds), "duration_ms",
  //  "root": {"name", "start_ms", "duration_ms", "status", "error"?, "attributes", "children": […]}}
  // Calling it again returns the same tree.
  nlohmann::ordered_json finish();

 private:
  std::string id_, kind_, config_version_;
  std::chrono::system_clock::time_point started_wall_;
  std::chrono::steady_clock::time_point t0_;
  std::shared_ptr<std::mutex> mutex_;
  std::shared_ptr<TraceSpan> root_;
  std::optional<nlohmann::ordered_json> finished_;  // guarded by *mutex_
};

// Secret values to scrub from anything stored or logged. Process-wide: config loading registers the
// expanded value of every ${ENV} reference.
class Redactor {
 public:
  static Redactor& global();
  void add_secret(const std::string& value);  // values shorter than 4 bytes are ignored (too common)
  std::string redact(std::string text) const;
  nlohmann::ordered_json redact(const nlohmann::ordered_json& value) const;  // also credential-named keys
  // Whether a key's value is a credential: a whole word of it (split at _ - . space and camelCase)
  // is authorization, apikey, password, passwd, secret(s), token, cookie(s), credentials, or
  // api/access/private followed by key, or the key is just "key". Plural "tokens" is not: counts
  // such as prompt_tokens and max_new_tokens stay readable, and neither is "token" followed by a
  // measurement word (time_to_first_token_ms, token_count, token_index).
  static bool is_credential_key(const std::string& key);

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;
};

// Which stored traces to list (TraceStore::list); every filter set must match.
struct TraceQuery {
  std::string since, until;  // started_at bounds, ISO 8601 UTC as stored (normalize_trace_time)
  std::string pipeline;      // the pipeline's name in the config
  std::string status;        // the root span's: ok, degraded, error
  std::string session;
  std::string text;          // a substring of the question or the answer (ASCII case-insensitive)
  size_t limit = 20;
  std::string cursor;        // TracePage::next_cursor of the page before; "" for the newest
};

struct TracePage {
  // Newest first: {"trace_id", "kind", "pipeline", "started_at", "duration_ms", "status",
  // "session", "question", "answer"}; question and answer cut to 200 characters.
  std::vector<nlohmann::ordered_json> traces;
  std::string next_cursor;  // "" when this is the last page
};

// A time bound as stored ("2026-12-07T10:00:00.000Z") from "2026-12-07", "2026-12-07T10:00",
// "2026-12-07T10:00:00Z" (with or without seconds, fraction, Z), or a span back from `now`
// ("30s", "15m", "2h", "7d"). Throws ragrt::Error kInvalidArgument naming `field` otherwise.
std::string normalize_trace_time(const std::string& text, const std::string& field,
                                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

class TraceStore {
 public:
  // `dir`/traces.sqlite and `dir`/traces.jsonl; created when missing.
  static std::unique_ptr<TraceStore> open(const std::filesystem::path& dir);
  virtual ~TraceStore() = default;
  // Redacts, then writes one row and one JSON line. Thread-safe.
  virtual void save(const nlohmann::ordered_json& trace) = 0;
  // `trace_id`: the full id or a unique prefix of at least 8 characters; an ambiguous prefix is an
  // error naming it. std::nullopt when nothing matches.
  virtual std::optional<nlohmann::ordered_json> load(const std::string& trace_id) const = 0;
  // Newest first, filtered and paged. Throws kInvalidArgument for a cursor it did not hand out.
  virtual TracePage list(const TraceQuery& query) const = 0;
  // The newest `limit` traces (list without filters).
  std::vector<nlohmann::ordered_json> recent(size_t limit) const;
};

// The tree as indented text: one line per span with its duration and key attributes.
std::string format_trace(const nlohmann::ordered_json& trace);

}  // namespace ragrt
