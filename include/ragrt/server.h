#pragma once
// `ragrt serve`: an OpenAI-compatible HTTP API over a live config (see live_graph.h): a config edit
// is swapped in while requests run, and each request runs on the graph it started with.
//
//   POST /v1/chat/completions   OpenAI chat (stream: true for server-sent events); `model` names a
//                               pipeline, "default" the config's default one; replies carry the
//                               ragrt extensions `citations` and `trace_id`
//   GET  /v1/models             the pipelines, plus "default"
//   POST /v1/embeddings         OpenAI embeddings with the config's embedder
//   POST /v1/rerank             {query, documents, top_n?} -> {results: [{index, relevance_score}]}
//   POST /v1/retrieve           {query, top_k?, retriever?} -> {hits: [{text, source, section, …}]}
//   GET  /v1/traces/{id}        a stored audit trace
//   POST /v1/documents          multipart upload (parts named "file"); indexed by a background job:
//                               202 {id, status, …}
//   GET  /v1/jobs/{id}          the job's progress: status, files_done / files_total, documents, chunks, errors
//   DELETE /v1/documents/{id}   a document, or every document of an indexed file
//   GET  /                      the chat page (streaming answers, citations, uploads, traces)
//   GET  /healthz, /readyz      alive; a graph is loaded (with the reload status)
//   GET  /metrics               Prometheus text
//
// The config's `server:` section (all keys optional; `--host` / `--port` override theirs):
//
//   server:
//     host: 127.0.0.1
//     port: 8080
//     api_keys:                                   # none: no authentication (a warning is logged)
//       - {name: web, sha256: 9f86d0…, requests_per_minute: 600, max_concurrent_streams: 8,
//          models: [support]}                   # pipelines it may use (default: all; others 403)
//     max_body_bytes: 1048576
//     max_upload_bytes: 67108864                  # POST /v1/documents
//     max_messages: 256
//     max_prompt_tokens: 32768                    # of the request's messages (not the passages)
//     max_concurrent: 4                           # model requests running at once
//     max_queue: 64                               # waiting beyond those; more get 429
//     request_timeout_s: 120                      # queue wait plus run; then 504 (or the stream ends)
//     drain_timeout_s: 30                         # on SIGTERM: wait this long, then cancel the rest
//
// Keys are stored as the SHA-256 of the token (`ragrt serve --hash-key TOKEN` prints it); clients
// send `Authorization: Bearer TOKEN`. /healthz and /readyz need no key, so probes work, and neither
// does the page at / (it asks for the key and sends it with each call).
#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/live_graph.h"
#include "ragrt/rag_config.h"

namespace ragrt {

struct ApiKey {
  std::string name;                   // for logs and metrics; never the token
  std::array<unsigned char, 32> sha256{};  // of the token's bytes
  std::optional<size_t> requests_per_minute;     // unset: unlimited
  std::optional<size_t> max_concurrent_streams;  // streaming chat requests at once; unset: unlimited
  // The pipelines (chat `model`s) this key may use; empty: all. Others answer 403.
  std::vector<std::string> models;
};

struct ServerParams {
  std::string host = "127.0.0.1";  // loopback unless the operator opens it
  int port = 8080;                 // 0: any free port (Server::port() tells which)
  std::vector<ApiKey> api_keys;    // empty: open
  size_t max_body_bytes = 1 << 20;  // larger bodies: 413
  size_t max_upload_bytes = 64 << 20;  // POST /v1/documents bodies (the files together); larger: 413
  size_t max_messages = 256;        // more chat messages: 400
  // Tokens of the request's messages (the generator's tokenizer, else an estimate); more: 400.
  // Retrieved passages are bounded by the pipeline's config, not by this.
  size_t max_prompt_tokens = 32768;
  size_t max_concurrent = 4;        // pipeline / model requests running at once
  size_t max_queue = 64;            // requests waiting for a slot; one more gets 429
  std::chrono::milliseconds request_timeout{120'000};  // waiting plus running; then 504
  std::chrono::milliseconds drain_timeout{30'000};     // stop(): in-flight requests get this long

  // The config's `server:` section over these defaults. Throws ragrt::Error
  // ("<file>:<line>:<column>: server.<key>: …") for unknown keys, wrong types or bad hashes.
  static ServerParams from_config(const RagConfig& config);
};

// Hex SHA-256 of `token`: what `api_keys[].sha256` holds.
std::string sha256_hex(std::string_view token);

class Server {
 public:
  // Serves the graphs `live` holds (each request takes live->current() once); does not listen yet.
  Server(ServerParams params, std::shared_ptr<LiveGraph> live);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds params.host:params.port and serves on background threads. Returns the port (the chosen
  // one for port 0). Throws ragrt::Error (kIo) when the address cannot be bound.
  int start();
  // Stops accepting, lets in-flight requests finish for up to drain_timeout, cancels the rest,
  // then returns. Idempotent.
  void stop();
  int port() const;
  const ServerParams& params() const;
  LiveGraph& live() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragrt
