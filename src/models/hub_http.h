#pragma once
// One HTTP exchange over libcurl, without following redirects: the Hub's redirect response
// carries the file's digest, and only the caller knows whether the next host may see the token.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::models {

struct HttpTimeouts {
  long connect_s = 15;
  long low_speed_limit_bytes = 1;
  long low_speed_time_s = 30;
};

struct HttpResponse {
  long status = 0;                             // 0 when no response arrived (see curl_code)
  std::map<std::string, std::string> headers;  // names lowercased; last value wins
  std::string error_body;                      // body of non-2xx answers, capped at 16 KiB
  int curl_code = 0;                           // CURLcode; 0 on success
  std::string curl_error;                      // libcurl's message when curl_code != 0
  bool aborted_by_sink = false;                // a body callback returned false

  std::string header(std::string_view lowercase_name) const;
  bool ok() const { return curl_code == 0 && status >= 200 && status < 300; }
};

struct HttpRequest {
  bool head = false;
  std::string url;
  std::optional<std::string> bearer_token;  // sent as Authorization: Bearer
  std::optional<uint64_t> range_from;       // sends Range: bytes=N-
  // Called once the status and headers of a 2xx answer are known, before any body byte; returning
  // false aborts the transfer.
  std::function<bool(const HttpResponse&)> on_headers;
  // Body bytes of a 2xx answer; returning false aborts the transfer.
  std::function<bool(const char* data, size_t size)> on_body;
};

// Reuses one libcurl handle so consecutive requests to the Hub share the TCP/TLS connection.
// Not thread-safe: one client per pull.
class HttpClient {
 public:
  explicit HttpClient(HttpTimeouts timeouts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse perform(const HttpRequest& request);

 private:
  HttpTimeouts timeouts_;
  void* curl_;  // CURL*, kept out of the header so callers do not include curl.h
};

// Whether a failed exchange is worth retrying: timeouts, dropped or refused connections, 5xx, 429.
bool is_transient(const HttpResponse& response);
// Human-readable reason for a failure that has no HTTP status (DNS, refused, timeout, TLS).
std::string describe_transport_error(const HttpResponse& response);

// Resolves a Location header against the URL that answered it.
std::string resolve_redirect(const std::string& base_url, const std::string& location);
// Same scheme, host and port: credentials may be sent to `b` when they were sent to `a`.
bool same_origin(const std::string& a, const std::string& b);
// Percent-encodes everything except unreserved characters; with keep_slash, '/' stays as is.
std::string url_encode(std::string_view s, bool keep_slash);

}  // namespace ragrt::models
