#pragma once
// A tool the agent pipeline may call: an HTTP API (`http`) or a named read-only SQL query (`sql`),
// declared in the config's `tools:` section. The model sees spec() as an OpenAI function
// definition; call() validates the arguments against spec().parameters (JSON Schema) before
// doing anything, so a missing or malformed argument comes back to the model as an error it can
// correct, never as a crash.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace ragrt {

struct ToolSpec {
  std::string name;         // [a-zA-Z0-9_-]{1,64}, as OpenAI function names
  std::string description;  // what the model reads to decide when to call it
  nlohmann::ordered_json parameters = {{"type", "object"}, {"properties", nlohmann::ordered_json::object()}};
  // How a successful result reads in an answer (config key `summary`, not sent to the model):
  // "Order {order_id}: {status_text}." with the result's top-level fields, applied to each row of
  // a SQL result; "" = every field as "name value; …".
  std::string summary;

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
  // What the model reads: the response body / rows as compact JSON when ok, else one sentence
  // saying what went wrong and what to do ("argument 'order_id' is required").
  std::string content;
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
