#include "models/remote_api.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "text/utf8.h"
#include "tools/http_request.h"

namespace ragrt::models {
namespace {

using json = nlohmann::json;

constexpr size_t kErrorBodyCap = 64 * 1024;  // of a server's text; only its message is used
constexpr size_t kQuoteCap = 400;            // bytes of server text quoted in an error message
constexpr double kMaxRetryAfterS = 60;       // a longer Retry-After is a quota reset, not a blip
constexpr size_t kMaxAnswerBytes = 256u << 20;  // a batch of embeddings is megabytes, not gigabytes

std::string url_part(CURLU* u, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, 0) != CURLUE_OK || !value) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

bool transient_status(long status) { return status == 408 || status == 429 || status >= 500; }

}  // namespace

std::string quote(std::string_view s, const std::string& secret) {
  std::string out(s.substr(0, std::min(s.size(), kErrorBodyCap)));
  if (!secret.empty()) {
    for (size_t p = out.find(secret); p != std::string::npos; p = out.find(secret, p + 3))
      out.replace(p, secret.size(), "***");
  }
  out = text::from_utf8_lossy(out);
  if (out.size() > kQuoteCap) {
    size_t end = kQuoteCap;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
    out += "…";
  }
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

std::string server_message(std::string_view body, const std::string& secret) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    const json* e = j.contains("error") ? &j["error"] : &j;
    if (e->is_string()) return quote(e->get<std::string>(), secret);
    if (e->is_object()) {
      for (const char* key : {"message", "detail"}) {
        if (!e->contains(key)) continue;
        const json& m = (*e)[key];
        return quote(m.is_string() ? m.get<std::string>() : m.dump(), secret);
      }
    }
  }
  return quote(body, secret);
}

void check_base_url(const std::string& base_url) {
  RAGRT_THROW_IF_NOT_KIND(!base_url.empty(), ErrorKind::kInvalidArgument,
                          "base_url is empty: set it to the server's API root, e.g. http://localhost:8000/v1");
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), &curl_url_cleanup);
  RAGRT_THROW_IF_NOT(u != nullptr, "libcurl could not create a URL handle");
  // Without a scheme libcurl would not parse it; say what is missing rather than "bad URL".
  const bool has_scheme = base_url.find("://") != std::string::npos;
  RAGRT_THROW_IF_NOT_KIND(
      has_scheme && curl_url_set(u.get(), CURLUPART_URL, base_url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK,
      ErrorKind::kInvalidArgument,
      "base_url '{}' is not an http:// or https:// URL: write it as e.g. http://localhost:8000/v1", base_url);
  std::string scheme = url_part(u.get(), CURLUPART_SCHEME);
  RAGRT_THROW_IF_NOT_KIND(
      scheme == "http" || scheme == "https", ErrorKind::kInvalidArgument,
      "base_url uses the scheme '{}': only http and https are supported, e.g. http://localhost:8000/v1", scheme);
  // Not echoed: these parts are where a credential would sit.
  RAGRT_THROW_IF_NOT_KIND(
      url_part(u.get(), CURLUPART_USER).empty() && url_part(u.get(), CURLUPART_PASSWORD).empty(),
      ErrorKind::kInvalidArgument,
      "base_url contains user:password@: put the key in an environment variable and name it in api_key_env");
  RAGRT_THROW_IF_NOT_KIND(
      url_part(u.get(), CURLUPART_QUERY).empty() && url_part(u.get(), CURLUPART_FRAGMENT).empty(),
      ErrorKind::kInvalidArgument,
      "base_url has a ?query or #fragment: give only the API root (…/v1); /chat/completions is appended to it");
}


RemoteApi::RemoteApi(std::string what, RemoteEndpoint endpoint) : what_(std::move(what)), endpoint_(std::move(endpoint)) {
  try {
    check_base_url(endpoint_.base_url);
  } catch (const Error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {}", what_, e.what());
  }
  while (!endpoint_.base_url.empty() && endpoint_.base_url.back() == '/') endpoint_.base_url.pop_back();
  RAGRT_THROW_IF_NOT_KIND(endpoint_.timeout_s > 0, ErrorKind::kInvalidArgument, "{}: timeout_s must be positive", what_);
  RAGRT_THROW_IF_NOT_KIND(endpoint_.max_retries >= 0, ErrorKind::kInvalidArgument, "{}: max_retries must not be negative",
                          what_);
  if (!endpoint_.api_key_env.empty()) {
    const char* key = std::getenv(endpoint_.api_key_env.c_str());
    RAGRT_THROW_IF_NOT_KIND(key && *key, ErrorKind::kInvalidArgument,
                            "{}: the environment variable {} (api_key_env) is not set: export the API key in it",
                            what_, endpoint_.api_key_env);
    api_key_ = key;
  }
}

std::string RemoteApi::url(const std::string& route) const { return endpoint_.base_url + route; }

json RemoteApi::post(const std::string& route, const json& body) const {
  tools::HttpRequest request;
  request.method = "POST";
  request.url = url(route);
  request.headers = {"Accept: application/json"};
  if (!api_key_.empty()) request.headers.push_back("Authorization: Bearer " + api_key_);
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  request.timeout_ms = static_cast<long>(endpoint_.timeout_s * 1000);
  request.max_bytes = kMaxAnswerBytes;  // no policy: the operator configured this server, loopback included

  double backoff = endpoint_.retry_backoff_s;
  for (int attempt = 0;; ++attempt) {
    const tools::HttpResponse r = tools::perform(request);
    const bool last = attempt >= endpoint_.max_retries;
    std::string failure;
    std::optional<double> wait;
    using Outcome = tools::HttpResponse::Outcome;
    if (r.outcome == Outcome::kResponse && r.status >= 200 && r.status < 300) {
      json answer = json::parse(r.body, nullptr, false);
      if (answer.is_discarded())
        RAGRT_THROW("{}: {} answered HTTP {} with something that is not JSON: {}", what_, request.url, r.status,
                    quote(r.body, api_key_));
      return answer;
    }
    if (r.outcome == Outcome::kResponse && r.too_large) {
      RAGRT_THROW_KIND(ErrorKind::kIo, "{}: the answer of {} is larger than {} MB: send smaller batches (batch_size)",
                       what_, request.url, kMaxAnswerBytes >> 20);
    }
    if (r.outcome == Outcome::kResponse) {
      const std::string message = server_message(r.body, api_key_);
      const std::string detail = message.empty() ? "" : ": " + message;
      if (r.status == 401 || r.status == 403) {
        RAGRT_THROW_KIND(ErrorKind::kIo, "{}: {} refused the request with HTTP {}{}; {}", what_, request.url, r.status,
                         detail,
                         endpoint_.api_key_env.empty()
                             ? "it wants an API key: export it in an environment variable and name that in api_key_env"
                             : fmt::format("check the API key in the environment variable {}", endpoint_.api_key_env));
      }
      if (!transient_status(r.status))
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {} rejected the request with HTTP {}{}", what_, request.url,
                         r.status, detail);
      failure = fmt::format("{} answered HTTP {}{}", request.url, r.status, detail);
      if (r.retry_after_s && *r.retry_after_s <= kMaxRetryAfterS) wait = *r.retry_after_s;
    } else if (r.outcome == Outcome::kConnectFailed || r.outcome == Outcome::kTimeout || r.dropped) {
      failure = fmt::format("cannot reach {}: {}; is the server running and is base_url right?", request.url,
                            quote(r.error, api_key_));
    } else {
      RAGRT_THROW_KIND(ErrorKind::kIo, "{}: {}: {}", what_, request.url, quote(r.error, api_key_));
    }
    if (last) RAGRT_THROW_KIND(ErrorKind::kIo, "{}: {} (after {} attempts)", what_, failure, attempt + 1);
    const double seconds = wait.value_or(backoff);
    spdlog::warn("{}: {}; retrying in {:.1f} s", what_, failure, seconds);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    backoff *= 2;
  }
}

}  // namespace ragrt::models
