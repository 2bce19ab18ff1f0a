#pragma once
// What every route of one Server shares, and the per-request facts the pre-routing handler
// establishes (httplib runs routing, the handler and the logger of a request on one thread).
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "ragrt/live_graph.h"
#include "ragrt/server.h"
#include "server/admission.h"
#include "server/deadlines.h"
#include "server/index_jobs.h"
#include "server/json_body.h"
#include "server/key_ring.h"
#include "server/metrics.h"
#include "server/tool_health.h"

namespace ragrt::server {

using Clock = std::chrono::steady_clock;

// The `server:` settings a request runs under. API keys (with their limits), max_messages,
// max_prompt_tokens, request_timeout_s and drain_timeout_s follow the config file when it is
// reloaded; what the listener was built with (host, port, body sizes, max_concurrent, max_queue)
// stays until a restart.
struct ServerSettings {
  ServerParams params;
  std::shared_ptr<KeyRing> keys;
  std::vector<std::string> pending_restart;  // e.g. "server.port": changed in the file, applied at the next start
  std::string error;                         // why the file's `server:` section is not applied; "" when it is
};

struct ServerContext {
  ServerContext(ServerParams p, std::shared_ptr<LiveGraph> l);
  // The settings for a new request: read again from the config after each reload. A section that
  // does not parse keeps the previous settings (and says why in `error`).
  std::shared_ptr<const ServerSettings> settings();

  const ServerParams started;  // as the server started: the file's section under the command line's flags
  const std::shared_ptr<LiveGraph> live;
  AdmissionGate gate;
  Deadlines deadlines;
  Metrics metrics;
  ToolHealth tool_health;
  std::atomic<bool> draining{false};
  std::unique_ptr<IndexJobs> jobs;  // uploads being indexed

 private:
  std::shared_ptr<const ServerSettings> reread(const ServerSettings& current);

  std::mutex settings_mutex_;
  std::shared_ptr<const ServerSettings> settings_;
  size_t settings_reloads_ = 0;  // LiveGraphStatus::reloads when settings_ was read
  ServerParams file_at_start_;   // the file's own section at start, to tell what a reload changed
};

struct RequestInfo {
  bool routed = false;  // reached the pre-routing handler (a malformed request line does not)
  Clock::time_point start;
  std::optional<size_t> key;  // index in settings->keys; unset on an open server
  std::shared_ptr<const ServerSettings> settings;  // taken when the request arrived
  // For the access log: set by the routes that run a pipeline.
  std::string pipeline, trace_id;
};
RequestInfo& current_request();  // this thread's

// Waits for a model slot (the bounded queue): 429 when the queue is full, 504 when the request's
// deadline passes while waiting, 503 while draining.
AdmissionGate::Slot admit(ServerContext& ctx);
Clock::time_point deadline_of(ServerContext& ctx);
// This request's settings (those in force now for a request that has none yet).
const ServerSettings& settings_of(ServerContext& ctx);

void reply_json(httplib::Response& res, int status, const json& body);

// The routes, one file per family.
void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_embeddings(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_rerank(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_retrieve(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_models(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_trace(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_traces(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_readyz(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_metrics(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_documents_upload(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_job(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_document_delete(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_page(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);

}  // namespace ragrt::server
