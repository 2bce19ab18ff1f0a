#include "tools/http_request.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <mutex>
#include <string_view>

#include "ragrt/version.h"

namespace ragrt::tools {

namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  const HttpRequest& request;
  HttpResponse& response;
  CURL* curl = nullptr;

  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto& x = *static_cast<Exchange*>(user);
    auto ip = HostPolicy::from_sockaddr(&address->addr);
    if (!x.request.policy) return socket(address->family, address->socktype, address->protocol);
    if (!ip || !x.request.policy->address_allowed(*ip)) {
      x.response.refused_address = ip ? HostPolicy::to_string(*ip) : "an address of an unknown family";
      return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& x = *static_cast<Exchange*>(user);
    std::string_view line(data, size * count);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      std::string value(line.substr(colon + 1));
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      if (name == "retry-after") x.response.retry_after_s = retry_after(value);
    }
    return size * count;
  }

  // Seconds, or an HTTP date.
  static std::optional<double> retry_after(const std::string& value) {
    if (!value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
      return std::stod(value);
    const time_t when = curl_getdate(value.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    return std::max(0.0, std::difftime(when, std::time(nullptr)));
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto& x = *static_cast<Exchange*>(user);
    const size_t n = size * count;
    x.response.bytes += n;
    if (x.response.bytes > x.request.max_bytes) {
      x.response.too_large = true;
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    x.response.body.append(data, n);
    return n;
  }

  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto& x = *static_cast<Exchange*>(user);
    return x.request.cancel && x.request.cancel->load() ? 1 : 0;
  }
};

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

HttpResponse perform(const HttpRequest& request) {
  global_init_once();
  HttpResponse response;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    response.error = "libcurl could not create a handle";
    return response;
  }
  Exchange x{request, response, curl.get()};
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // an environment proxy would be the address checked
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // the template encoded the path; keep it as built
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, std::max(1L, request.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::max(1L, request.timeout_ms));
  curl_easy_setopt(c, CURLOPT_USERAGENT, (std::string("ragrt/") + version()).c_str());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &Exchange::open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Exchange::on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Exchange::on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &Exchange::on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
  if (request.max_bytes > 0) curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_bytes));

  std::unique_ptr<curl_slist, CurlDeleter> headers;
  auto add_header = [&](const std::string& h) { headers.reset(curl_slist_append(headers.release(), h.c_str())); };
  bool has_content_type = false;
  for (const std::string& h : request.headers) {
    add_header(h);
    std::string lower = h.substr(0, 13);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    has_content_type |= lower == "content-type:";
  }
  // POST, PUT and PATCH always send a body (an empty one says Content-Length: 0).
  static const std::string kEmpty;
  const bool sends_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  const std::string* payload = request.body ? &*request.body : sends_body ? &kEmpty : nullptr;
  if (payload) {
    if (request.body && !has_content_type) add_header("Content-Type: application/json");
    add_header("Expect:");  // no 100-continue round trip
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload->size()));
  }
  if (request.method != "GET" && !(request.method == "POST" && payload))
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  const char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  response.content_type = type ? type : "";
  std::transform(response.content_type.begin(), response.content_type.end(), response.content_type.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  const char* location = nullptr;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
  response.location = location ? location : "";
  response.error = errbuf[0] ? errbuf : curl_easy_strerror(code);

  if (code == CURLE_FILESIZE_EXCEEDED) response.too_large = true;
  if (!response.refused_address.empty() && code == CURLE_COULDNT_CONNECT) {
    response.outcome = HttpResponse::Outcome::kRefusedAddress;
  } else if (response.status > 0 && (code == CURLE_OK || response.too_large)) {
    response.outcome = HttpResponse::Outcome::kResponse;
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    response.outcome = HttpResponse::Outcome::kCancelled;
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    response.outcome = HttpResponse::Outcome::kTimeout;
  } else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) {
    response.outcome = HttpResponse::Outcome::kConnectFailed;
  } else {
    response.outcome = HttpResponse::Outcome::kError;
    response.dropped = code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING ||
                       code == CURLE_PARTIAL_FILE;
  }
  return response;
}

}  // namespace ragrt::tools
