#include "http_service.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "order_db.h"

namespace order_service {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

// A request is handled on one thread from routing to logging, so its start time can live there.
thread_local std::optional<Clock::time_point> t_request_start;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Replace rather than throw on bytes that are not UTF-8: they come from the request path.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply(res, status, {{"error", {{"message", message}}}});
}

// Compares in time independent of where the strings differ, so the key cannot be guessed byte by
// byte from response times. `expected` is not empty.
bool same_secret(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() != expected.size();
  for (size_t i = 0; i < given.size(); ++i) diff |= given[i] ^ expected[i % expected.size()];
  return diff == 0;
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  size_t start = authorization.find_first_not_of(' ', kScheme.size());
  size_t end = authorization.find_last_not_of(" \t");
  return start == std::string::npos ? std::string() : authorization.substr(start, end + 1 - start);
}

bool authorized(const httplib::Request& req, const std::string& api_key) {
  if (req.has_header("X-Api-Key") && same_secret(req.get_header_value("X-Api-Key"), api_key)) return true;
  return req.has_header("Authorization") && same_secret(bearer_token(req.get_header_value("Authorization")), api_key);
}

// The path as the log shows it: control bytes would let a client forge log lines.
std::string printable(const std::string& path) {
  std::string out = path.substr(0, 200);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return path.size() > 200 ? out + "..." : out;
}

void handle_order(const httplib::Request& req, httplib::Response& res, const std::filesystem::path& db) {
  const std::optional<std::string> id = parse_order_id(req.matches[1].str());
  if (!id) {
    reply_error(res, 400, "malformed order id: expected 1 to 20 letters, digits or '-', e.g. /orders/12345");
    return;
  }
  std::optional<json> order = find_order(db, *id);
  if (order) reply(res, 200, *order);
  else reply_error(res, 404, "no order " + *id);
}

}  // namespace

void configure(httplib::Server& server, const std::filesystem::path& db, const std::string& api_key) {
  server.set_pre_routing_handler([api_key](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    if (api_key.empty() || req.path == "/healthz" || authorized(req, api_key))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    reply_error(res, 401, "missing or wrong API key: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'");
    return httplib::Server::HandlerResponse::Handled;
  });
  // (.*) rather than ([^/]+): an id with a '/' in it is a malformed id (400), not an unknown route.
  server.Get(R"(/orders/(.*))", [db](const httplib::Request& req, httplib::Response& res) { handle_order(req, res, db); });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });

  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;  // the handler's own message
    reply_error(res, res.status,
                res.status == 404 ? "no such endpoint: use GET /orders/{id} or GET /healthz"
                                  : "request failed with HTTP status " + std::to_string(res.status));
  });
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr e) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    std::fprintf(stderr, "ragrt-order-service: %s %s failed: %s\n", req.method.c_str(), printable(req.path).c_str(),
                 what.c_str());
    reply_error(res, 500, "the order database could not be read; try again later");
  });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    double ms = 0;
    if (t_request_start) ms = std::chrono::duration<double, std::milli>(Clock::now() - *t_request_start).count();
    t_request_start.reset();
    // One fprintf per line, so lines of concurrent requests do not interleave.
    std::fprintf(stderr, "%s %s %d %.1f ms\n", req.method.c_str(), printable(req.path).c_str(), res.status, ms);
  });
}

}  // namespace order_service
