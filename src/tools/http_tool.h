#pragma once
// The `http` tool: one HTTP API call per tool call, its URL filled from the arguments.
//
//   order_status:
//     type: http
//     description: "Status, carrier and tracking number of an order, by order number."
//     parameters: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
//     method: GET                 # GET (default), POST, PUT, PATCH, DELETE
//     url: "https://api.example.com/orders/{order_id}"   # {arg}: the argument, URL-encoded
//     query: {lang: "{lang}"}     # left out when an argument it names is absent
//     headers: {Authorization: "Bearer ${ORDER_API_KEY}"}
//     body: auto                  # POST/PUT/PATCH: the arguments as a JSON object; none
//     allow_hosts: [api.example.com]
//     timeout_s: 10               # per attempt; ToolCallOptions::timeout bounds the whole call
//     retries: 2
//     retry_backoff_s: 0.5        # first wait; doubles each retry
//     max_response_bytes: 65536
//
// ${ENV} references in url, query and headers are expanded at load. Header values and expanded
// values are secrets: they never appear in a result, an error or a log line (secrets() lists them
// for the trace Redactor; messages are scrubbed of them here as well).
//
// Policy, each breach a kRefused result with a sentence saying why, before any byte is sent:
// the host must be on allow_hosts, and the address connected to must not be internal unless listed
// (see HostPolicy for the exact rule); redirects (at most 3) are followed here, each target checked
// the same way, configured headers dropped when the target is another origin; only http and https;
// a body past max_response_bytes is cut off and refused. Placeholders fill the path and query
// only, never the scheme or host.
//
// Retries: connection failures, timeouts, 429 and 5xx, with exponential backoff and Retry-After
// honoured up to 10 s (longer: no retry). POST and PATCH are not idempotent, so they are retried
// only when the server cannot have acted: connection refused, 429, 503.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ragrt/registry.h"
#include "ragrt/tool.h"
#include "tools/host_policy.h"
#include "tools/http_request.h"
#include "tools/json_schema.h"
#include "tools/url_template.h"

namespace ragrt::tools {

class HttpTool : public Tool {
 public:
  struct Params {
    ToolSpec spec;
    std::string method = "GET";
    std::string url;                                       // ${ENV} expanded, placeholders left
    std::vector<std::pair<std::string, std::string>> query;  // name → template
    std::vector<std::pair<std::string, std::string>> headers;
    bool json_body = false;
    std::vector<std::string> allow_hosts;
    double timeout_s = 10;
    size_t retries = 2;
    double retry_backoff_s = 0.5;
    size_t max_response_bytes = 65536;
    std::vector<std::string> secrets;  // expanded ${ENV} values
  };

  // Throws ragrt::Error (kInvalidArgument) for a malformed url, query template or allow_hosts entry.
  HttpTool(Params params, JsonSchema schema);

  const ToolSpec& spec() const override { return p_.spec; }
  std::string type() const override { return "http"; }
  ToolResult call(const nlohmann::json& arguments, const ToolCallOptions& options = {}) const override;

  // Header values and expanded ${ENV} values, to be registered with the trace Redactor.
  std::vector<std::string> secrets() const;

 private:
  struct Hop;
  HttpResponse send(HttpRequest& request, const Hop& hop, ToolResult& result) const;
  ToolResult finish(ToolResult result, const HttpResponse& response, const std::string& host) const;
  std::string scrub(std::string text) const;

  Params p_;
  JsonSchema schema_;
  HostPolicy policy_;
  UrlTemplate url_;
  std::vector<std::pair<std::string, UrlTemplate>> query_;
};

// Registry<Tool> factory for `type: http`; config errors name file, line and column.
std::shared_ptr<Tool> make_http_tool(const ComponentSpec& c);

}  // namespace ragrt::tools
