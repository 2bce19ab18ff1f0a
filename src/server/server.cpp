// Server: cpp-httplib wiring (routes, authentication and rate limits before routing, errors in
// OpenAI's shape, metrics per request) and its lifecycle (start, drain, stop).
#include "ragrt/server.h"

#include <future>
#include <thread>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "server/http_error.h"
#include "server/server_context.h"
#include "util/log_format.h"

namespace ragrt {
namespace server {

RequestInfo& current_request() {
  thread_local RequestInfo info;
  return info;
}

const ServerSettings& settings_of(ServerContext& ctx) {
  RequestInfo& info = current_request();
  if (!info.settings) info.settings = ctx.settings();
  return *info.settings;
}

Clock::time_point deadline_of(ServerContext& ctx) { return current_request().start + settings_of(ctx).params.request_timeout; }

AdmissionGate::Slot admit(ServerContext& ctx) {
  AdmissionGate::Slot slot;
  switch (ctx.gate.enter(deadline_of(ctx), slot)) {
    case AdmissionGate::Entry::kAdmitted:
      return slot;
    case AdmissionGate::Entry::kFull:
      ctx.metrics.rejected("queue_full");
      throw HttpError(429, "rate_limit_error",
                      fmt::format("the server is busy: {} requests running and {} waiting (server.max_queue); retry later",
                                  ctx.started.max_concurrent, ctx.started.max_queue),
                      "", "queue_full");
    case AdmissionGate::Entry::kTimedOut:
      throw HttpError(504, "timeout_error", "waited in the queue for server.request_timeout_s; retry later");
    case AdmissionGate::Entry::kClosed:
      break;
  }
  throw HttpError(503, "server_error", "the server is shutting down; retry on another instance");
}

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Replace rather than throw on bytes that are not UTF-8 (echoed paths, stored text).
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

namespace {

void reply_error(httplib::Response& res, const HttpError& e) {
  reply_json(res, e.status(), e.body());
  if (e.status() == 401) res.set_header("WWW-Authenticate", "Bearer");
  if (e.status() == 429 || e.status() == 503) res.set_header("Retry-After", "1");
}

// The route a path belongs to, for metrics: a bounded set of labels whatever clients send.
std::string route_of(const std::string& path) {
  static const std::vector<std::string> kRoutes = {"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/rerank", "/v1/retrieve",
                                                   "/v1/models", "/healthz", "/readyz", "/metrics", "/v1/documents", "/v1/traces", "/"};
  for (const auto& r : kRoutes)
    if (path == r) return r;
  if (path.rfind("/v1/traces/", 0) == 0) return "/v1/traces/{id}";
  if (path.rfind("/v1/jobs/", 0) == 0) return "/v1/jobs/{id}";
  if (path.rfind("/v1/documents/", 0) == 0) return "/v1/documents/{id}";
  return "other";
}

bool is_probe(const std::string& path) { return path == "/healthz" || path == "/readyz"; }
bool is_page(const httplib::Request& req) { return req.method == "GET" && (req.path == "/" || req.path == "/index.html"); }
bool is_upload(const httplib::Request& req) { return req.method == "POST" && req.path == "/v1/documents"; }

// Uploads have their own, larger limit; httplib reads bodies up to the larger of the two.
size_t body_limit(const ServerParams& p, const httplib::Request& req) {
  return is_upload(req) ? p.max_upload_bytes : p.max_body_bytes;
}
HttpError body_too_large(const ServerParams& p, const httplib::Request& req) {
  return HttpError(413, "invalid_request_error",
                   fmt::format("the request body is larger than server.{} ({} bytes)",
                               is_upload(req) ? "max_upload_bytes" : "max_body_bytes", body_limit(p, req)));
}

}  // namespace
}  // namespace server

using namespace server;

struct Server::Impl {
  Impl(ServerParams p, std::shared_ptr<LiveGraph> l) : ctx(std::move(p), std::move(l)) {}
  ServerContext ctx;
  httplib::Server http;
  std::thread listener;
  std::future<void> listener_done;
  int port = -1;
  bool stopped = false;
  std::mutex stop_mutex;

  // Authentication and per-key rate limits, before the body is read.
  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res) {
    RequestInfo& info = current_request();
    info = RequestInfo{true, Clock::now(), std::nullopt, ctx.settings()};
    if (is_probe(req.path) || is_page(req)) return httplib::Server::HandlerResponse::Unhandled;
    try {
      if (req.get_header_value<uint64_t>("Content-Length") > body_limit(ctx.started, req)) {
        res.set_header("Connection", "close");
        throw body_too_large(ctx.started, req);
      }
      if (ctx.draining) {
        res.set_header("Connection", "close");
        throw HttpError(503, "server_error", "the server is shutting down; retry on another instance");
      }
      KeyRing& keys = *info.settings->keys;
      if (!keys.open()) {
        info.key = keys.authenticate(req.get_header_value("Authorization"));
        if (!info.key) {
          ctx.metrics.rejected("unauthorized");
          throw HttpError(401, "authentication_error",
                          req.has_header("Authorization") ? "invalid API key" : "missing API key: send 'Authorization: Bearer KEY'",
                          "", "invalid_api_key");
        }
        if (!keys.take_request(*info.key)) {
          ctx.metrics.rejected("rate_limit");
          throw HttpError(429, "rate_limit_error",
                          fmt::format("key '{}' is over its limit of {} requests per minute", keys.key(*info.key).name,
                                      *keys.key(*info.key).requests_per_minute),
                          "", "rate_limit_exceeded");
        }
      }
    } catch (const HttpError& e) {
      reply_error(res, e);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  void configure() {
    const ServerParams& p = ctx.started;
    // Enough threads that every admitted and queued request holds one and cheap requests (probes,
    // metrics, the 429s of a full queue) still find one free.
    const size_t threads = p.max_concurrent + p.max_queue + 8;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(std::max(p.max_body_bytes, p.max_upload_bytes));
    // Streams are many small writes; with Nagle each waits for the client's delayed ACK (~40 ms).
    http.set_tcp_nodelay(true);
    http.set_read_timeout(std::chrono::seconds(30));
    http.set_keep_alive_timeout(2);  // idle keep-alive connections hold a thread and delay a drain
    // httplib sets SO_REUSEPORT, which would let a second server share a port in use instead of
    // failing; SO_REUSEADDR alone still allows a quick restart.
    http.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) { return pre_route(req, res); });
    auto route = [this](void (*handler)(ServerContext&, const httplib::Request&, httplib::Response&)) {
      return [this, handler](const httplib::Request& req, httplib::Response& res) {
        // A body sent without Content-Length (chunked) is measured once read.
        if (req.body.size() > body_limit(ctx.started, req)) throw body_too_large(ctx.started, req);
        handler(ctx, req, res);
      };
    };
    http.Post("/v1/chat/completions", route(handle_chat_completions));
    http.Post("/v1/completions", route(handle_completions));
    http.Post("/v1/embeddings", route(handle_embeddings));
    http.Post("/v1/rerank", route(handle_rerank));
    http.Post("/v1/retrieve", route(handle_retrieve));
    http.Get("/v1/models", route(handle_models));
    http.Get("/v1/traces", route(handle_traces));
    http.Get(R"(/v1/traces/([^/]+))", route(handle_trace));
    http.Get("/readyz", route(handle_readyz));
    http.Get("/metrics", route(handle_metrics));
    http.Post("/v1/documents", route(handle_documents_upload));
    http.Get(R"(/v1/jobs/([^/]+))", route(handle_job));
    http.Delete(R"(/v1/documents/(.+))", route(handle_document_delete));
    http.Get("/", route(handle_page));
    http.Get("/index.html", route(handle_page));
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, {{"status", "ok"}}); });

    http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;  // a route's own error
      if (res.status == 413) return reply_error(res, body_too_large(ctx.started, req));
      std::string message = fmt::format("request failed with HTTP status {}", res.status);
      if (res.status == 404) message = fmt::format("no such endpoint: {} {}", req.method, req.path);
      reply_error(res, HttpError(res.status, "invalid_request_error", message));
    });
    http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr e) {
      const HttpError error = to_http_error(e);
      if (error.status() >= 500) spdlog::error("{} {}: {}", req.method, route_of(req.path), error.what());
      reply_error(res, error);
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      RequestInfo& info = current_request();
      // A request httplib refused before routing has no start time: counted, but not timed.
      const std::optional<double> seconds =
          info.routed ? std::optional(std::chrono::duration<double>(Clock::now() - info.start).count()) : std::nullopt;
      info.routed = false;
      const std::string route = route_of(req.path);
      ctx.metrics.request(route, res.status, seconds);
      // One line per request; probes and scrapes, which come every few seconds, only at debug.
      const std::string key = info.key && info.settings ? info.settings->keys->key(*info.key).name : "";
      const auto level = is_probe(req.path) || req.path == "/metrics" ? spdlog::level::debug : spdlog::level::info;
      spdlog::log(level, "{}",
                  util::log_event("access", {{"method", req.method},
                                             {"route", route},
                                             {"status", std::to_string(res.status)},
                                             {"latency_ms", fmt::format("{:.1f}", seconds.value_or(0) * 1000)},
                                             {"key", key},
                                             {"pipeline", info.pipeline},
                                             {"trace_id", info.trace_id}}));
      info.pipeline.clear();
      info.trace_id.clear();
    });
  }
};

Server::Server(ServerParams params, std::shared_ptr<LiveGraph> live)
    : impl_(std::make_unique<Impl>(std::move(params), std::move(live))) {
  impl_->configure();
  if (impl_->ctx.started.api_keys.empty())
    spdlog::warn("server: no api_keys in the config's `server:` section: every client that reaches {} is served",
                 impl_->ctx.started.host);
}

Server::~Server() { stop(); }

int Server::start() {
  Impl& i = *impl_;
  const ServerParams& p = i.ctx.started;
  i.port = p.port == 0 ? i.http.bind_to_any_port(p.host) : (i.http.bind_to_port(p.host, p.port) ? p.port : -1);
  if (i.port < 0)
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot listen on {}:{} (port in use or address not available): give another --port, or 0 for a free one",
                     p.host, p.port);
  std::packaged_task<void()> task([&i] { i.http.listen_after_bind(); });
  i.listener_done = task.get_future();
  i.listener = std::thread(std::move(task));
  while (!i.http.is_running() && i.listener_done.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
  }
  if (!i.http.is_running()) {
    i.listener.join();
    RAGRT_THROW_KIND(ErrorKind::kIo, "the server stopped before accepting connections on {}:{}", p.host, i.port);
  }
  return i.port;
}

void Server::stop() {
  Impl& i = *impl_;
  std::lock_guard lock(i.stop_mutex);
  if (i.stopped || !i.listener.joinable()) return;
  i.stopped = true;
  i.ctx.draining = true;
  // Stops accepting; the listener thread returns once every accepted connection is answered.
  i.http.stop();
  if (i.listener_done.wait_for(i.ctx.settings()->params.drain_timeout) != std::future_status::ready) {
    spdlog::warn("server: requests still running after drain_timeout_s; cancelling them");
    i.ctx.gate.close();
    i.ctx.deadlines.cancel_all();
  }
  i.listener.join();
}

int Server::port() const { return impl_->port; }
const ServerParams& Server::params() const { return impl_->ctx.started; }
LiveGraph& Server::live() const { return *impl_->ctx.live; }

}  // namespace ragrt
