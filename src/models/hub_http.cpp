#include "models/hub_http.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include <curl/curl.h>

#include "ragrt/error.h"
#include "ragrt/version.h"

namespace ragrt::models {
namespace {

constexpr size_t kErrorBodyCap = 16 * 1024;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// State shared with the libcurl callbacks of one exchange.
struct Exchange {
  CURL* curl;
  const HttpRequest* request;
  HttpResponse* response;
  bool headers_delivered = false;
  bool accepting_body = false;
};

bool is_2xx(long status) { return status >= 200 && status < 300; }

// Tells the caller about a 2xx answer once; returns whether its body is wanted.
bool deliver_headers(Exchange& ex) {
  if (ex.headers_delivered) return ex.accepting_body;
  ex.headers_delivered = true;
  curl_easy_getinfo(ex.curl, CURLINFO_RESPONSE_CODE, &ex.response->status);
  if (!is_2xx(ex.response->status)) return false;
  ex.accepting_body = !ex.request->on_headers || ex.request->on_headers(*ex.response);
  if (!ex.accepting_body) ex.response->aborted_by_sink = true;
  return ex.accepting_body;
}

size_t on_header_line(char* data, size_t size, size_t count, void* user) {
  auto& ex = *static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response starts (after a 100 Continue, for instance): forget the earlier headers.
    ex.response->headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    ex.response->headers[lowercase(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body_bytes(char* data, size_t size, size_t count, void* user) {
  auto& ex = *static_cast<Exchange*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(ex.curl, CURLINFO_RESPONSE_CODE, &status);
  if (!is_2xx(status)) {
    auto& body = ex.response->error_body;
    body.append(data, std::min(n, kErrorBodyCap - std::min(kErrorBodyCap, body.size())));
    return n;
  }
  if (!deliver_headers(ex)) return 0;  // CURLE_WRITE_ERROR ends the transfer
  if (ex.request->on_body && !ex.request->on_body(data, n)) {
    ex.response->aborted_by_sink = true;
    return 0;
  }
  return n;
}

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

UrlHandle parse_url(const std::string& url) {
  UrlHandle h(curl_url());
  if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return nullptr;
  return h;
}

std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || !value) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

}  // namespace

std::string HttpResponse::header(std::string_view lowercase_name) const {
  auto it = headers.find(std::string(lowercase_name));
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpTimeouts timeouts) : timeouts_(timeouts) {
  global_init_once();
  curl_ = curl_easy_init();
  RAGRT_THROW_IF_NOT_KIND(curl_ != nullptr, ErrorKind::kRuntime, "libcurl could not create a handle");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  // Reset drops the options of the previous exchange but keeps its live connections.
  curl_easy_reset(curl);

  HttpResponse response;
  Exchange ex{curl, &request, &response};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const std::string user_agent = "ragrt/" + version();

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeouts_.connect_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, timeouts_.low_speed_limit_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeouts_.low_speed_time_s);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header_line);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body_bytes);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  if (request.head) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  std::string range;
  if (request.range_from) {
    range = std::to_string(*request.range_from) + "-";
    curl_easy_setopt(curl, CURLOPT_RANGE, range.c_str());
  }
  curl_slist* headers = nullptr;
  std::string auth;
  if (request.bearer_token && !request.bearer_token->empty()) {
    auth = "Authorization: Bearer " + *request.bearer_token;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (code == CURLE_OK && is_2xx(response.status) && !ex.headers_delivered) deliver_headers(ex);
  response.curl_code = code;
  if (code != CURLE_OK) response.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);

  // Do not leave the token in the handle's option list past this call.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  std::fill(auth.begin(), auth.end(), '\0');
  return response;
}

bool is_transient(const HttpResponse& r) {
  if (r.aborted_by_sink) return false;
  switch (r.curl_code) {
    case CURLE_OK:
      return r.status >= 500 || r.status == 429 || r.status == 408;
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

std::string describe_transport_error(const HttpResponse& r) {
  const std::string detail = r.curl_error.empty() ? std::string() : " (" + r.curl_error + ")";
  switch (r.curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve the host name" + detail +
             ": check the network connection, DNS, or HF_ENDPOINT";
    case CURLE_COULDNT_CONNECT:
      return "cannot connect" + detail +
             ": the network or the server is unreachable; check the connection, a proxy "
             "(https_proxy), or HF_ENDPOINT";
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out" + detail +
             ": the connection is too slow or stalled; retry later or raise the timeouts";
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
      return "the connection broke mid-transfer" + detail + "; run the pull again to resume";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS failed" + detail + ": check the system CA certificates or a proxy that intercepts TLS";
    case CURLE_WRITE_ERROR:
      return "writing the downloaded data failed" + detail;
    default:
      return "transfer failed" + detail;
  }
}

std::string resolve_redirect(const std::string& base_url, const std::string& location) {
  UrlHandle h = parse_url(base_url);
  if (h && curl_url_set(h.get(), CURLUPART_URL, location.c_str(), 0) == CURLUE_OK) {
    std::string out = url_part(h.get(), CURLUPART_URL);
    if (!out.empty()) return out;
  }
  RAGRT_THROW_KIND(ErrorKind::kIo, "{} redirected to an unusable location '{}'", base_url, location);
}

bool same_origin(const std::string& a, const std::string& b) {
  UrlHandle ua = parse_url(a), ub = parse_url(b);
  if (!ua || !ub) return false;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    const unsigned flags = part == CURLUPART_PORT ? CURLU_DEFAULT_PORT : 0;
    if (lowercase(url_part(ua.get(), part, flags)) != lowercase(url_part(ub.get(), part, flags)))
      return false;
  }
  return true;
}

std::string url_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace ragrt::models
