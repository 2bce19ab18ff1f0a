// ragrt serve --config FILE [--host H] [--port N]: the OpenAI-compatible HTTP server over a live
// config (edits are swapped in without a restart; see include/ragrt/server.h). SIGTERM / SIGINT
// stop accepting, let running requests finish (server.drain_timeout_s), and exit 0.
// ragrt serve --hash-key KEY (or - to read it from stdin) prints the sha256 that `server.api_keys`
// stores, so the key itself never has to be written into the config.
#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "ragrt/error.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/live_graph.h"
#include "ragrt/server.h"

namespace ragrt::cli {
namespace {

struct ServeArgs {
  std::string config_file;
  std::optional<std::string> host;
  std::optional<int> port;
  std::string hash_key;
};

int run_hash_key(std::string key) {
  if (key == "-") {
    if (!std::getline(std::cin, key)) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--hash-key -: no key on stdin");
  }
  if (key.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--hash-key: the key is empty");
  std::cout << sha256_hex(key) << "\n";
  return 0;
}

int run_serve(const ServeArgs& args) {
  if (!args.hash_key.empty()) return run_hash_key(args.hash_key);
  if (args.config_file.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "give --config FILE (see examples/customer-service/ragrt.yaml)");
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait for
  // sigwait below, where stopping the server is safe (it is not from a signal handler).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client gone mid-stream is that request's problem only

  {
    // A new deployment starts empty and is filled through the page or POST /v1/documents.
    const RagConfig config = RagConfig::load(args.config_file);
    std::error_code ec;
    if (!std::filesystem::is_directory(config.collection, ec) || std::filesystem::is_empty(config.collection, ec)) {
      KnowledgeBase::open(config, /*writer=*/true);
      spdlog::info("collection {}: created empty; upload documents on the page or with POST /v1/documents, or run ragrt index",
                   config.collection.string());
    }
  }
  auto live = std::make_shared<LiveGraph>(LiveGraphParams{.file = args.config_file});
  ServerParams params = ServerParams::from_config(live->current()->config());
  if (args.host) params.host = *args.host;
  if (args.port) params.port = *args.port;
  Server server(params, live);
  const int port = server.start();
  const std::string host = params.host.find(':') != std::string::npos ? "[" + params.host + "]" : params.host;
  // On stdout, flushed: scripts and tests wait for this line (and read the port of --port 0).
  std::cout << "ragrt: listening on http://" << host << ":" << port << " (config " << live->status().version << ")"
            << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "ragrt: " << ::strsignal(signal_number) << ": draining in-flight requests\n";
  server.stop();
  std::cerr << "ragrt: stopped\n";
  return 0;
}

CommandRegistrar reg{{"serve", "Serve the config over an OpenAI-compatible HTTP API (chat, embeddings, rerank, retrieve)",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<ServeArgs>();
                        sub.add_option("--config,-c", args->config_file, "ragrt YAML config; its `server:` section sets keys and limits");
                        sub.add_option("--host", args->host, "address to listen on (default: server.host, else 127.0.0.1)");
                        sub.add_option("--port,-p", args->port, "port (default: server.port, else 8080); 0 picks a free one")
                            ->check(CLI::Range(0, 65535));
                        sub.add_option("--hash-key", args->hash_key,
                                       "print the sha256 of KEY for server.api_keys and exit (- reads KEY from stdin)");
                        return [args] { return run_serve(*args); };
                      }, {"ragrt serve --config ragrt.yaml --port 8080", "ragrt serve --hash-key -   # the sha256 of a key read from stdin"}}};

}  // namespace
}  // namespace ragrt::cli
