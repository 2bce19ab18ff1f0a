// ragrt-order-service: the order-status API of the customer-service example. The agent's `http`
// tool calls it for live order data; the `sql` tool reads the same SQLite file read-only.
//
//   ragrt-order-service --db FILE [--seed data/customers.sql] [--host 127.0.0.1] [--port 0]
//                       [--port-file F] [--api-key-env ORDER_API_KEY]
//
//   --db           the SQLite database of customers and orders, opened read-only per request
//   --seed         an SQL script that creates --db when it does not exist or is empty
//   --host         the address to listen on; 127.0.0.1 (the default) keeps it on this machine
//   --port         the port; 0 (the default) picks a free one
//   --port-file    a file to write the port to (atomically) once connections are accepted, so
//                  scripts and tests can wait for it; removed again on a clean stop
//   --api-key-env  an environment variable holding an API key; when it is set and not empty,
//                  every request but /healthz needs `Authorization: Bearer KEY` or `X-Api-Key: KEY`
//
//   GET /orders/{id}  {id}: 1 to 20 of [A-Za-z0-9-], a leading '#' (sent as %23) tolerated
//     200 {"order_id", "status", "status_text", "carrier", "tracking_number", "shipping_method",
//          "placed_at", "shipped_at", "estimated_delivery", "delivered_at",
//          "items": [{"name", "quantity"}], "total": "59.90 EUR"}   (absent values are null)
//     400 malformed id, 401 missing or wrong key, 404 no such order, 500 database error; each with
//     {"error": {"message": "..."}}
//   GET /healthz      200 "ok"
//
// Once listening it prints "listening on http://HOST:PORT" on stdout; then one line per request on
// stderr (method, path, status, milliseconds; never a header, so never the key). SIGTERM or SIGINT
// stops it cleanly with exit status 0. A startup mistake (--db missing or not an orders database,
// --seed unreadable or failing, the port in use) prints one line saying what to do; exit status 2.
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "http_service.h"
#include "order_db.h"

namespace fs = std::filesystem;
using order_service::SetupError;

namespace {

constexpr int kSetupFailed = 2;

int setup_failed(const std::string& message) {
  std::cerr << "ragrt-order-service: " << message << "\n";
  return kSetupFailed;
}

void write_port_file(const fs::path& file, int port) {
  fs::path tmp = file;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) throw SetupError("cannot write --port-file " + file.string() + ": check that its folder exists");
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw SetupError("cannot write --port-file " + file.string() + ": " + ec.message());
  }
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ragrt-order-service: the order-status HTTP API of the customer-service example"};
  fs::path db, seed, port_file;
  std::string host = "127.0.0.1", api_key_env;
  int port = 0;
  app.add_option("--db", db, "SQLite database of customers and orders")->required();
  app.add_option("--seed", seed, "SQL script creating --db when it does not exist or is empty");
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on; 0 picks a free one")->check(CLI::Range(0, 65535))->capture_default_str();
  app.add_option("--port-file", port_file, "file to write the port to once listening");
  app.add_option("--api-key-env", api_key_env, "environment variable holding the API key requests must carry");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kSetupFailed;
  }

  try {
    if (!seed.empty() && order_service::seed_if_missing(db, seed))
      std::cerr << "ragrt-order-service: created " << db.string() << " from " << seed.string() << "\n";
    order_service::check_database(db);
  } catch (const SetupError& e) {
    return setup_failed(e.what());
  }
  std::string api_key;
  if (!api_key_env.empty()) {
    const char* value = std::getenv(api_key_env.c_str());
    if (value && *value) api_key = value;
    else std::cerr << "ragrt-order-service: " << api_key_env << " is not set: requests are not authenticated\n";
  }
  if (!is_loopback(host) && api_key.empty())
    std::cerr << "ragrt-order-service: warning: listening on " << host
              << " without an API key: anyone who can reach it can read order data\n";

  // Blocked before any thread starts, so every thread inherits the mask and the signals wait for
  // sigwait below, where stopping the server is safe (it is not from a signal handler).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client gone mid-response is that request's problem only

  httplib::Server server;
  order_service::configure(server, db, api_key);
  server.set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle wait between them
  // httplib sets SO_REUSEPORT by default, which would let a second service share a port in use
  // instead of failing; SO_REUSEADDR alone still allows a quick restart.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const int requested_port = port;
  if (port == 0) port = server.bind_to_any_port(host);
  else if (!server.bind_to_port(host, port)) port = -1;
  if (port < 0)
    return setup_failed("cannot listen on " + host + (requested_port == 0 ? "" : ":" + std::to_string(requested_port)) +
                        " (port in use or address not available): give another --port, or --port 0 for a free one");

  std::atomic<bool> listener_done{false};
  const pthread_t main_thread = pthread_self();
  std::thread listener([&] {
    server.listen_after_bind();
    listener_done = true;
    pthread_kill(main_thread, SIGTERM);  // wakes sigwait if the server stopped on its own
  });
  while (!server.is_running() && !listener_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (listener_done) {
    listener.join();
    return setup_failed("the server stopped before accepting connections on " + host + ":" + std::to_string(port));
  }

  const std::string url_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  try {
    if (!port_file.empty()) write_port_file(port_file, port);
  } catch (const SetupError& e) {
    server.stop();
    listener.join();
    return setup_failed(e.what());
  }
  std::cout << "listening on http://" << url_host << ":" << port << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const bool unexpected = listener_done;
  if (!unexpected) std::cerr << "ragrt-order-service: stopping on " << ::strsignal(signal_number) << "\n";
  server.stop();
  listener.join();
  std::error_code ec;
  if (!port_file.empty()) fs::remove(port_file, ec);
  if (unexpected) {
    std::cerr << "ragrt-order-service: the server stopped accepting connections\n";
    return 1;
  }
  return 0;
}
