#pragma once
// A tool the agent pipeline may call: an HTTP API (`http`) or a named read-only SQL query (`sql`),
// declared in the config's `tools:` section. The model sees spec() as an OpenAI function
// definition; call() validates the arguments against spec().parameters (JSON Schema) before
// doing anything, so a missing or malformed argument comes back to the model as an error it can
// correct, never as a crash.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ragrt/localized_text.h"

namespace ragrt {

// What a call came to, as the customer and the operator need to know it: read from the HTTP status
// (404/410 not found, 400/422 invalid, 401/403 refused, 408/504 timeout, others unavailable), the
// SQL result (no rows: not found) or the transport error (connect failure: unavailable).
enum class ToolOutcome {
  kOk,
  kNotFound,         // the service answered: nothing matches the arguments
  kInvalidArgument,  // the arguments are malformed (the schema, or the service, says so)
  kUnavailable,      // the service could not be reached or failed
  kTimeout,          // no answer within the timeout
  kRefused,          // policy: not allowed (allowlist, permissions, size caps)
};
const char* to_string(ToolOutcome outcome);  // "ok", "not_found", "invalid_argument", "unavailable", "timeout", "refused"
std::optional<ToolOutcome> tool_outcome_named(std::string_view name);
// Outcomes that say the tool itself is failing (and count towards its being degraded), as
// opposed to an answer about the arguments (not found, invalid).
bool is_tool_failure(ToolOutcome outcome);

struct ToolSpec {
  std::string name;         // [a-zA-Z0-9_-]{1,64}, as OpenAI function names
  std::string description;  // what the model reads to decide when to call it
  nlohmann::ordered_json parameters = {{"type", "object"}, {"properties", nlohmann::ordered_json::object()}};
  // How a successful result reads in an answer (config key `summary`, not sent to the model):
  // "Order {order_id}: {status_text}." with the result's top-level fields, applied to each row of
  // a SQL result; empty = every field as "name value; …". One string or a map by language.
  LocalizedText summary;
  // What the customer reads when a call does not succeed (config key `on_error`, by outcome name,
  // each one string or a map by language): "I could not find order {order_id}." with the
  // arguments as {name}. Outcomes not given take the built-in English and Chinese messages.
  std::map<ToolOutcome, LocalizedText> on_error;
  // After this many failures in a row (is_tool_failure) the server reports the tool degraded.
  size_t degraded_after = 3;

  // {"type": "function", "function": {"name", "description", "parameters"}}
  nlohmann::ordered_json to_openai() const;
};

enum class ToolStatus {
  kOk,
  kInvalidArguments,  // the arguments failed the schema: content says which and why
  kRefused,           // policy: host not on the allowlist, private address, oversized response, table not allowed
  kFailed,            // the call itself failed: unreachable, timeout, HTTP error status, SQL error
};
const char* to_string(ToolStatus status);  // "ok", "invalid_arguments", "refused", "failed"

struct ToolResult {
  ToolStatus status = ToolStatus::kOk;
  ToolOutcome outcome = ToolOutcome::kOk;  // set by ToolSet::call when the tool leaves it kOk on failure
  // What the model reads: the response body / rows as compact JSON when ok, else one sentence
  // saying what went wrong and what to do ("argument 'order_id' is required"). Through
  // ToolSet::call a failure reads as its outcome and what to tell the customer, never a host or
  // an upstream body; those stay in `detail`.
  std::string content;
  std::string detail;  // the full error for traces and logs (operators only); "" when ok
  nlohmann::ordered_json data;  // structured result for traces and citations (response JSON, rows)
  int http_status = 0;          // http: the final response's status, 0 when none
  size_t bytes = 0;             // size of the raw result
  size_t attempts = 0;          // calls made (retries included)
  double latency_ms = 0;

  bool ok() const { return status == ToolStatus::kOk; }
};

struct ToolCallOptions {
  std::shared_ptr<const std::atomic<bool>> cancel;  // checked between retries and during transfers
  std::chrono::milliseconds timeout{0};             // 0: the tool's own timeout; else the smaller of both
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const ToolSpec& spec() const = 0;
  virtual std::string type() const = 0;  // "http", "sql"
  // Never throws for bad arguments or remote failures (see ToolStatus); thread-safe.
  virtual ToolResult call(const nlohmann::json& arguments, const ToolCallOptions& options = {}) const = 0;
};

}  // namespace ragrt
