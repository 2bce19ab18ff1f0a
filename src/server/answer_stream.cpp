// The streamed answer of a pipeline run as server-sent events, for /v1/chat/completions and
// /v1/completions alike (their event shapes come in a StreamWire).
#include "server/answer_stream.h"

#include <spdlog/spdlog.h>

#include "server/http_error.h"
#include "tools/tool_set.h"

namespace ragrt::server {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check_not_cancelled(const Deadlines::Entry& d, ServerContext& ctx) {
  if (*d.client_left) {
    spdlog::info("the client left; generation cancelled");
    ctx.metrics.rejected("client_left");
    throw HttpError(499, "invalid_request_error", "the client closed the connection before the answer was ready");
  }
  if (*d.expired)
    throw HttpError(504, "timeout_error",
                    fmt::format("the request did not finish within server.request_timeout_s ({} s)",
                                settings_of(ctx).params.request_timeout.count() / 1000.0));
  if (*d.cancel) throw HttpError(503, "server_error", "the server is shutting down; retry on another instance");
}

void record_turn(ServerContext& ctx, const ComponentGraph& graph, const PipelineResult& r) {
  if (!r.usage_estimated)
    ctx.metrics.tokens(r.prompt_tokens, r.completion_tokens, (r.total_ms - r.time_to_first_token_ms) / 1000.0);
  ctx.metrics.turn(r, [&](const std::string& name) { return graph.tools().find(name) != nullptr; });
  ctx.tool_health.record(r, graph);
  current_request().pipeline = r.pipeline;
  current_request().trace_id = r.trace_id;
}

AnswerStream::AnswerStream(ServerContext& ctx, std::shared_ptr<const ComponentGraph> graph, ChatCall call,
                           AdmissionGate::Slot slot, std::shared_ptr<KeyRing> keys, std::optional<size_t> key,
                           StreamWire wire)
    : ctx_(ctx), graph_(std::move(graph)), call_(std::move(call)), slot_(std::move(slot)), keys_(std::move(keys)),
      key_(key), wire_(std::move(wire)), start_(current_request().start), deadline_(ctx.deadlines, deadline_of(ctx)) {
  call_.request.cancel = deadline_.entry().cancel;
}

AnswerStream::~AnswerStream() { finish(); }

bool AnswerStream::pump(httplib::DataSink& sink) {
  for (const json& event : wire_.opening)
    if (!send(sink, event)) return abandon();
  worker_ = std::thread([this] { run(); });
  std::unique_lock lock(mutex_);
  while (true) {
    // An idle stream (a long prompt being read) still gets a comment now and then: a client
    // that left is noticed when a write fails, and proxies do not time the stream out.
    changed_.wait_for(lock, std::chrono::seconds(5), [&] { return done_ || !pieces_.empty(); });
    const bool done = done_;
    std::deque<std::string> pieces;
    pieces.swap(pieces_);
    lock.unlock();
    bool ok = true;
    for (const auto& p : pieces) ok = ok && send(sink, wire_.piece(p));
    if (ok && pieces.empty() && !done) ok = sink.write(": keep-alive\n\n", 15);
    if (!ok) return abandon();
    if (done) break;
    lock.lock();
  }
  worker_.join();
  release_limits();  // before the last bytes: a client may start its next stream as soon as it has them
  if (error_) {
    const HttpError e = to_http_error(error_);
    if (e.status() >= 500) spdlog::error("answer stream: {}", e.what());
    send(sink, e.body());
  } else if (*deadline_.entry().expired || result_.finish_reason == FinishReason::kCancelled) {
    try {
      check_not_cancelled(deadline_.entry(), ctx_);
    } catch (const HttpError& e) {
      send(sink, e.body());
    }
  } else {
    record_turn(ctx_, *graph_, result_);
    for (const json& event : wire_.closing(result_))
      if (!send(sink, event)) return false;
  }
  if (!sink.write("data: [DONE]\n\n", 14)) return false;
  sink.done();
  return true;
}

void AnswerStream::finish() {
  if (worker_.joinable()) {
    *deadline_.entry().cancel = true;
    worker_.join();
  }
  release_limits();
}

void AnswerStream::release_limits() {
  slot_.release();
  if (key_ && !stream_released_) {
    keys_->end_stream(*key_);
    stream_released_ = true;
  }
}

void AnswerStream::run() {
  bool first = true;
  call_.request.on_text = [&](std::string_view piece) {
    if (piece.empty()) return;
    if (first) {
      ctx_.metrics.time_to_first_token(seconds_since(start_));
      first = false;
    }
    {
      std::lock_guard lock(mutex_);
      pieces_.emplace_back(piece);
    }
    changed_.notify_one();
  };
  try {
    result_ = graph_->run(call_.pipeline, call_.request);
  } catch (...) {
    error_ = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_one();
}

bool AnswerStream::send(httplib::DataSink& sink, const json& event) {
  const std::string line = "data: " + event.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
  return sink.write(line.data(), line.size());
}

bool AnswerStream::abandon() {
  spdlog::info("answer stream: the client left; generation cancelled");
  finish();
  return false;
}

}  // namespace ragrt::server
