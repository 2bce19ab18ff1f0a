#include "tools/http_tool.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "text/utf8.h"
#include "tools/tool_config.h"

namespace ragrt::tools {

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

constexpr int kMaxRedirects = 3;
constexpr double kMaxRetryAfterS = 10;  // a longer wait is a quota reset, not a blip
constexpr size_t kSnippetBytes = 200;   // of an error body, quoted in the message
constexpr size_t kMinSecretBytes = 4;   // as the trace Redactor: shorter values are too common to scrub

struct UrlParts {
  std::string scheme, host, origin;
};

// Scheme, host (without IPv6 brackets) and origin of an absolute URL; nullopt when it is not one.
std::optional<UrlParts> url_parts(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which, unsigned flags) {
    char* s = nullptr;
    std::string out;
    if (curl_url_get(u.get(), which, &s, flags) == CURLUE_OK && s) out = s;
    curl_free(s);
    return out;
  };
  UrlParts p;
  p.scheme = part(CURLUPART_SCHEME, 0);
  p.host = part(CURLUPART_HOST, 0);
  if (p.host.size() >= 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
  p.origin = p.scheme + "://" + p.host + ":" + part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (p.scheme.empty()) return std::nullopt;
  return p;
}

bool is_redirect(long status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

// Values of the ${NAME} references in `raw`, which become secrets once expanded.
std::vector<std::string> env_values(const std::string& raw) {
  std::vector<std::string> out;
  for (size_t open = raw.find("${"); open != std::string::npos; open = raw.find("${", open + 2)) {
    const size_t close = raw.find('}', open);
    if (close == std::string::npos) break;
    if (const char* v = std::getenv(raw.substr(open + 2, close - open - 2).c_str())) out.emplace_back(v);
  }
  return out;
}

std::string one_line_snippet(const std::string& body) {
  std::string s = text::from_utf8_lossy(body.substr(0, kSnippetBytes + 4));
  if (s.size() > kSnippetBytes) {
    size_t end = kSnippetBytes;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end) + "...";
  }
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return s;
}

}  // namespace

struct HttpTool::Hop {
  std::string host;
  bool idempotent = true;
  Clock::time_point deadline = Clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;
};

HttpTool::HttpTool(Params params, JsonSchema schema)
    : p_(std::move(params)), schema_(std::move(schema)), policy_(p_.allow_hosts), url_(UrlTemplate::parse(p_.url, true)) {
  for (const auto& [name, value] : p_.query) query_.emplace_back(name, UrlTemplate::parse(value, false));
}

std::vector<std::string> HttpTool::secrets() const {
  std::vector<std::string> out = p_.secrets;
  for (const auto& [name, value] : p_.headers) out.push_back(value);
  return out;
}

std::string HttpTool::scrub(std::string text) const {
  for (const std::string& secret : secrets()) {
    if (secret.size() < kMinSecretBytes) continue;
    for (size_t p = text.find(secret); p != std::string::npos; p = text.find(secret, p + 10))
      text.replace(p, secret.size(), "[redacted]");
  }
  return text;
}

ToolResult HttpTool::call(const nlohmann::json& arguments, const ToolCallOptions& options) const {
  const auto start = Clock::now();
  ToolResult result = check_arguments(schema_, arguments);
  if (!result.ok()) return result;
  auto refuse = [&](ToolStatus status, const std::string& why) {
    result.status = status;
    result.outcome = status == ToolStatus::kRefused            ? ToolOutcome::kRefused
                     : status == ToolStatus::kInvalidArguments ? ToolOutcome::kInvalidArgument
                                                               : ToolOutcome::kUnavailable;
    result.content = scrub(why);
    result.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return result;
  };

  std::optional<std::string> url = url_.expand(arguments);
  if (!url) {
    return refuse(ToolStatus::kInvalidArguments,
                  fmt::format("the URL needs the arguments {}; give each a value", fmt::join(url_.names(), ", ")));
  }
  char separator = url->find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : query_) {
    if (auto v = value.expand(arguments)) {
      *url += separator + UrlTemplate::encode(name) + "=" + *v;
      separator = '&';
    }
  }
  HttpRequest request;
  request.method = p_.method;
  request.url = *url;
  for (const auto& [name, value] : p_.headers) request.headers.push_back(name + ": " + value);
  if (p_.json_body) request.body = arguments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  request.max_bytes = p_.max_response_bytes;
  request.policy = &policy_;
  request.cancel = options.cancel.get();

  Hop hop;
  hop.cancel = request.cancel;
  if (options.timeout.count() > 0) hop.deadline = start + options.timeout;
  std::string origin;
  for (int redirects = 0;; ++redirects) {
    auto parts = url_parts(request.url);
    if (!parts) return refuse(ToolStatus::kFailed, "the redirect target is not a valid URL");
    if (parts->scheme != "http" && parts->scheme != "https")
      return refuse(ToolStatus::kRefused, fmt::format("only http and https URLs may be called, not {}", parts->scheme));
    if (parts->host.empty()) return refuse(ToolStatus::kFailed, "the redirect target has no host");
    if (!policy_.host_allowed(parts->host)) {
      return refuse(ToolStatus::kRefused,
                    redirects == 0 ? fmt::format("host '{}' is not on this tool's allow_hosts; the call was not made", parts->host)
                                   : fmt::format("the server redirected to host '{}', which is not on this tool's allow_hosts", parts->host));
    }
    // Credentials were configured for the first origin; another origin does not get them.
    if (redirects > 0 && parts->origin != origin) request.headers.clear();
    origin = parts->origin;
    hop.host = parts->host;
    hop.idempotent = request.method != "POST" && request.method != "PATCH";
    HttpResponse response = send(request, hop, result);
    if (response.outcome != HttpResponse::Outcome::kResponse || !is_redirect(response.status) || response.location.empty())
      return finish(std::move(result), response, hop.host);
    if (redirects == kMaxRedirects)
      return refuse(ToolStatus::kFailed, fmt::format("{} redirected more than {} times", hop.host, kMaxRedirects));
    if (response.status == 303 || (response.status <= 302 && request.method == "POST")) {
      request.method = "GET";  // as browsers do: the redirect names a resource to fetch
      request.body.reset();
    }
    request.url = response.location;
  }
}

HttpResponse HttpTool::send(HttpRequest& request, const Hop& hop, ToolResult& result) const {
  using Outcome = HttpResponse::Outcome;
  for (size_t attempt = 0;; ++attempt) {
    double timeout_ms = p_.timeout_s * 1000;
    if (hop.deadline != Clock::time_point::max())
      timeout_ms = std::min(timeout_ms, std::chrono::duration<double, std::milli>(hop.deadline - Clock::now()).count());
    request.timeout_ms = std::max(1L, std::lround(timeout_ms));
    HttpResponse r = perform(request);
    ++result.attempts;

    const bool unprocessed = r.outcome == Outcome::kConnectFailed ||
                             (r.outcome == Outcome::kResponse && (r.status == 429 || r.status == 503));
    const bool transient = r.outcome == Outcome::kTimeout || (r.outcome == Outcome::kError && r.dropped) ||
                           (r.outcome == Outcome::kResponse && r.status >= 500);
    if (!(unprocessed || (transient && hop.idempotent)) || attempt >= p_.retries) return r;
    double wait_s = p_.retry_backoff_s * std::pow(2.0, static_cast<double>(attempt));
    if (r.retry_after_s) {
      if (*r.retry_after_s > kMaxRetryAfterS) return r;
      wait_s = std::max(wait_s, *r.retry_after_s);
    }
    const auto resume = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
    if (resume >= hop.deadline) return r;
    while (Clock::now() < resume) {
      if (hop.cancel && hop.cancel->load()) {
        r.outcome = Outcome::kCancelled;
        return r;
      }
      std::this_thread::sleep_for(std::min<Clock::duration>(resume - Clock::now(), std::chrono::milliseconds(20)));
    }
  }
}

ToolResult HttpTool::finish(ToolResult result, const HttpResponse& r, const std::string& host) const {
  using Outcome = HttpResponse::Outcome;
  result.http_status = r.outcome == Outcome::kResponse ? static_cast<int>(r.status) : 0;
  result.bytes = r.bytes;
  const std::string tries = result.attempts > 1 ? fmt::format(" ({} attempts)", result.attempts) : "";
  std::string content;
  result.status = ToolStatus::kFailed;
  switch (r.outcome) {
    case Outcome::kRefusedAddress:
      result.status = ToolStatus::kRefused;
      result.outcome = ToolOutcome::kRefused;
      content = fmt::format("host '{}' resolved to the internal address {}, which this tool may not connect to "
                            "(only an IP address listed in allow_hosts permits that)", host, r.refused_address);
      break;
    case Outcome::kTimeout:
      result.outcome = ToolOutcome::kTimeout;
      content = fmt::format("the request to {} timed out after {:g} s{}", host, p_.timeout_s, tries);
      break;
    case Outcome::kConnectFailed:
      result.outcome = ToolOutcome::kUnavailable;
      content = fmt::format("could not connect to {}{}: {}", host, tries, r.error);
      break;
    case Outcome::kCancelled:
      result.outcome = ToolOutcome::kTimeout;  // the step's deadline, or the request's
      content = "the request was cancelled";
      break;
    case Outcome::kError:
      result.outcome = ToolOutcome::kUnavailable;
      content = fmt::format("the request to {} failed{}: {}", host, tries, r.error);
      break;
    case Outcome::kResponse:
      if (r.status < 200 || r.status >= 300) {
        result.outcome = r.status == 404 || r.status == 410   ? ToolOutcome::kNotFound
                         : r.status == 400 || r.status == 422 ? ToolOutcome::kInvalidArgument
                         : r.status == 401 || r.status == 403 ? ToolOutcome::kRefused
                         : r.status == 408 || r.status == 504 ? ToolOutcome::kTimeout
                                                              : ToolOutcome::kUnavailable;
        content = fmt::format("HTTP {} from {}{}", r.status, host, tries);
        if (r.status == 429 && r.retry_after_s) content += fmt::format(", retry after {:g} s", *r.retry_after_s);
        if (!r.body.empty()) content += ": " + one_line_snippet(r.body);
      } else if (r.too_large) {
        result.status = ToolStatus::kRefused;
        result.outcome = ToolOutcome::kRefused;
        content = fmt::format("the response from {} is larger than {} bytes (max_response_bytes) and was not read", host,
                              p_.max_response_bytes);
      } else {
        result.status = ToolStatus::kOk;
        const std::string body = scrub(r.body);  // a server echoing the key does not pass it on
        const size_t first = body.find_first_not_of(" \t\r\n");
        const bool looks_json = r.content_type.find("json") != std::string::npos ||
                                (first != std::string::npos && (body[first] == '{' || body[first] == '['));
        json parsed = looks_json ? json::parse(body, nullptr, false) : json(json::value_t::discarded);
        if (!parsed.is_discarded()) {
          result.data = std::move(parsed);
          result.content = result.data.dump(-1, ' ', false, json::error_handler_t::replace);
        } else if (first == std::string::npos) {
          result.content = fmt::format("HTTP {} with an empty body", r.status);
        } else {
          result.content = text::from_utf8_lossy(body);
          result.data = result.content;
        }
        return result;
      }
      break;
  }
  result.content = scrub(std::move(content));
  return result;
}

std::shared_ptr<Tool> make_http_tool(const ComponentSpec& c) {
  const config::YamlReader& r = *c.reader;
  const YAML::Node& n = c.node;
  r.only_keys(n, c.key, {"type", "description", "parameters", "summary", "on_error", "degraded_after", "method", "url", "query", "headers", "body", "allow_hosts",
                         "timeout_s", "retries", "retry_backoff_s", "max_response_bytes"});
  auto key = [&](const std::string& k) { return c.key + "." + k; };
  auto env = [&](const YAML::Node& node, const std::string& k, HttpTool::Params& p) {
    std::string value = r.env_string(node, k);
    for (std::string& v : env_values(node.Scalar())) p.secrets.push_back(std::move(v));
    return value;
  };

  HttpTool::Params p;
  p.spec = read_tool_spec(c, ToolSpec().parameters);
  JsonSchema schema = compile_parameters(c, p.spec);
  const json properties = p.spec.parameters.value("properties", json::object());
  const json required = p.spec.parameters.value("required", json::array());

  if (n["method"]) {
    p.method = r.string(n["method"], key("method"));
    std::transform(p.method.begin(), p.method.end(), p.method.begin(), [](unsigned char ch) { return std::toupper(ch); });
    if (p.method != "GET" && p.method != "POST" && p.method != "PUT" && p.method != "PATCH" && p.method != "DELETE")
      r.fail(n["method"], key("method"), "must be GET, POST, PUT, PATCH or DELETE");
  }
  const bool sends_body = p.method == "POST" || p.method == "PUT" || p.method == "PATCH";
  p.json_body = sends_body;
  if (n["body"]) {
    const std::string body = r.string(n["body"], key("body"));
    if (body != "auto" && body != "none") r.fail(n["body"], key("body"), "must be auto (the arguments as JSON) or none");
    if (body == "auto" && !sends_body) r.fail(n["body"], key("body"), fmt::format("{} requests carry no body", p.method));
    p.json_body = body == "auto";
  }

  if (!n["url"]) r.fail(n, key("url"), "missing: the URL to call, with {argument} placeholders");
  p.url = env(n["url"], key("url"), p);
  std::string host;
  try {
    UrlTemplate url = UrlTemplate::parse(p.url, true);
    auto parts = url_parts(url.sample());
    if (!parts || parts->host.empty() || (parts->scheme != "http" && parts->scheme != "https"))
      r.fail(n["url"], key("url"), "must be an absolute http:// or https:// URL");
    host = parts->host;
    for (const std::string& name : url.names()) {
      if (!properties.contains(name)) r.fail(n["url"], key("url"), fmt::format("{{{}}} is not a property of parameters", name));
      if (std::find(required.begin(), required.end(), name) == required.end())
        r.fail(n["url"], key("url"), fmt::format("{{{}}} must be a required parameter (the URL cannot leave it out)", name));
    }
  } catch (const Error& e) {
    r.fail(n["url"], key("url"), e.what());
  }
  if (n["query"]) {
    r.require_map(n["query"], key("query"));
    for (const auto& kv : n["query"]) {
      const std::string name = r.string(kv.first, key("query"));
      const std::string k = key("query." + name);
      std::string value = env(kv.second, k, p);
      try {
        for (const std::string& arg : UrlTemplate::parse(value, false).names())
          if (!properties.contains(arg)) r.fail(kv.second, k, fmt::format("{{{}}} is not a property of parameters", arg));
      } catch (const Error& e) {
        r.fail(kv.second, k, e.what());
      }
      p.query.emplace_back(name, std::move(value));
    }
  }
  if (n["headers"]) {
    r.require_map(n["headers"], key("headers"));
    for (const auto& kv : n["headers"]) {
      const std::string name = r.string(kv.first, key("headers"));
      const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
        return std::isalnum(ch) || std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
      });
      if (!token) r.fail(kv.first, key("headers"), fmt::format("'{}' is not a valid header name", name));
      std::string value = env(kv.second, key("headers." + name), p);
      // Never quote the value: it is usually a credential.
      if (value.find_first_of("\r\n") != std::string::npos) r.fail(kv.second, key("headers." + name), "the value must be one line");
      p.headers.emplace_back(name, std::move(value));
    }
  }

  if (!n["allow_hosts"]) r.fail(n, key("allow_hosts"), "missing: the hosts this tool may call (no host is allowed by default)");
  p.allow_hosts = r.strings(n["allow_hosts"], key("allow_hosts"));
  if (p.allow_hosts.empty()) r.fail(n["allow_hosts"], key("allow_hosts"), "must list at least one host");
  if (n["timeout_s"]) p.timeout_s = r.number(n["timeout_s"], key("timeout_s"));
  if (!(p.timeout_s > 0)) r.fail(n["timeout_s"], key("timeout_s"), "must be greater than 0");
  if (n["retries"]) p.retries = r.count(n["retries"], key("retries"));
  if (n["retry_backoff_s"]) p.retry_backoff_s = r.number(n["retry_backoff_s"], key("retry_backoff_s"));
  if (p.retry_backoff_s < 0) r.fail(n["retry_backoff_s"], key("retry_backoff_s"), "must not be negative");
  if (n["max_response_bytes"]) p.max_response_bytes = r.count(n["max_response_bytes"], key("max_response_bytes"), 1);

  try {
    // Not an error: the call is refused with a message, but the config is most likely wrong.
    if (!HostPolicy(p.allow_hosts).host_allowed(host))
      spdlog::warn("{}: the url's host is not on allow_hosts; every call will be refused", key("url"));
    return std::make_shared<HttpTool>(std::move(p), std::move(schema));
  } catch (const Error& e) {
    r.fail(n["allow_hosts"], key("allow_hosts"), e.what());
  }
}

}  // namespace ragrt::tools
