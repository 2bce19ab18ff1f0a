#pragma once
// What every route of one Server shares, and the per-request facts the pre-routing handler
// establishes (httplib runs routing, the handler and the logger of a request on one thread).
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "ragrt/live_graph.h"
#include "ragrt/server.h"
#include "server/admission.h"
#include "server/deadlines.h"
#include "server/index_jobs.h"
#include "server/index_jobs.h"
#include "server/json_body.h"
#include "server/key_ring.h"
#include "server/metrics.h"

namespace ragrt::server {

using Clock = std::chrono::steady_clock;

struct ServerContext {
  ServerContext(ServerParams p, std::shared_ptr<LiveGraph> l)
      : params(std::move(p)), live(std::move(l)), keys(params.api_keys), gate(params.max_concurrent, params.max_queue),
        server_section(YAML::Dump(live->current()->config().server)),
        jobs(std::make_unique<IndexJobs>([live = live] { return live->current(); })) {}
  const ServerParams params;
  const std::shared_ptr<LiveGraph> live;
  KeyRing keys;
  AdmissionGate gate;
  Deadlines deadlines;
  Metrics metrics;
  std::atomic<bool> draining{false};
  // The `server:` section as it was at start: keys and limits are not hot-reloaded, so /readyz
  // says when the file's section differs from the one in force.
  const std::string server_section;
  std::atomic<bool> warned_server_section{false};
  std::unique_ptr<IndexJobs> jobs;  // uploads being indexed
};

struct RequestInfo {
  bool routed = false;  // reached the pre-routing handler (a malformed request line does not)
  Clock::time_point start;
  std::optional<size_t> key;  // index in the KeyRing; unset on an open server
};
RequestInfo& current_request();  // this thread's

// Waits for a model slot (the bounded queue): 429 when the queue is full, 504 when the request's
// deadline passes while waiting, 503 while draining.
AdmissionGate::Slot admit(ServerContext& ctx);
Clock::time_point deadline_of(const ServerContext& ctx);

void reply_json(httplib::Response& res, int status, const json& body);

// The routes, one file per family.
void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_embeddings(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_rerank(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_retrieve(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_models(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_trace(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_readyz(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_metrics(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_documents_upload(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_job(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_document_delete(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_page(ServerContext& ctx, const httplib::Request& req, httplib::Response& res);

}  // namespace ragrt::server
