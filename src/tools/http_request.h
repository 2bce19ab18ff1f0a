#pragma once
// One HTTP exchange of the `http` tool with libcurl: no redirects followed (the tool follows them
// itself, re-checking each target), no proxies from the environment (they would hide the address
// connected to), http and https only, the connected address checked against the HostPolicy in the
// socket callback (when a policy is given), and the body cut off (not buffered) past max_bytes.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "tools/host_policy.h"

namespace ragrt::tools {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string> body;   // sent as application/json unless a Content-Type header says otherwise
  long timeout_ms = 10000;
  size_t max_bytes = 65536;
  // Addresses the exchange may connect to. nullptr: any (servers the operator configured, such as
  // a remote embedder; never a URL a model or a user chose).
  const HostPolicy* policy = nullptr;
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  enum class Outcome {
    kResponse,        // a status line came back (status, body)
    kRefusedAddress,  // the address connected to is internal and not listed (refused_address)
    kTimeout,
    kConnectFailed,   // resolve or connect failed
    kCancelled,
    kError,           // anything else (error says what)
  };
  Outcome outcome = Outcome::kError;
  std::string error;     // libcurl's message when not kResponse
  bool dropped = false;  // kError from a connection lost mid-exchange: worth retrying
  long status = 0;
  std::string body;          // up to max_bytes
  bool too_large = false;    // the body went past max_bytes and the transfer was cut
  size_t bytes = 0;          // body bytes received
  std::string content_type;  // as sent, lower case
  std::string location;      // absolute redirect target, when the status is a redirect
  std::optional<double> retry_after_s;
  std::string refused_address;
};

HttpResponse perform(const HttpRequest& request);

}  // namespace ragrt::tools
