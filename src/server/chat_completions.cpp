// POST /v1/chat/completions: a pipeline run through ComponentGraph::run (so its trace is stored),
// answered whole or streamed as server-sent events.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/ranges.h>

#include <spdlog/spdlog.h>

#include "server/chat_json.h"
#include "server/client_socket.h"
#include "server/http_error.h"
#include "server/server_context.h"
#include "tools/tool_set.h"

namespace ragrt::server {
namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A request cancelled by its deadline or by a drain: no answer to give.
void check_not_cancelled(const Deadlines::Entry& d, ServerContext& ctx) {
  if (*d.client_left) {
    spdlog::info("chat completion: the client left; generation cancelled");
    ctx.metrics.rejected("client_left");
    throw HttpError(499, "invalid_request_error", "the client closed the connection before the answer was ready");
  }
  if (*d.expired)
    throw HttpError(504, "timeout_error",
                    fmt::format("the request did not finish within server.request_timeout_s ({} s)",
                                settings_of(ctx).params.request_timeout.count() / 1000.0));
  if (*d.cancel) throw HttpError(503, "server_error", "the server is shutting down; retry on another instance");
}

// An answered run: its figures (model tokens only: an estimate, from the extractive generator,
// would skew the counters and rates), its tools' health, and what the access log names.
void record_turn(ServerContext& ctx, const ComponentGraph& graph, const PipelineResult& r) {
  if (!r.usage_estimated)
    ctx.metrics.tokens(r.prompt_tokens, r.completion_tokens, (r.total_ms - r.time_to_first_token_ms) / 1000.0);
  ctx.metrics.turn(r, [&](const std::string& name) { return graph.tools().find(name) != nullptr; });
  ctx.tool_health.record(r, graph);
  current_request().pipeline = r.pipeline;
  current_request().trace_id = r.trace_id;
}

// One streamed answer: the pipeline runs on its own thread and hands text to the connection's
// thread, which writes it. Generation never waits on a slow client (the local engine batches
// requests on one thread), and a write that fails (the client left) cancels the generation.
class ChatStream {
 public:
  // `key`: the key's index in `keys`, whose stream count the stream holds until it ends.
  ChatStream(ServerContext& ctx, std::shared_ptr<const ComponentGraph> graph, ChatCall call, AdmissionGate::Slot slot,
             std::shared_ptr<KeyRing> keys, std::optional<size_t> key)
      : ctx_(ctx), graph_(std::move(graph)), call_(std::move(call)), slot_(std::move(slot)), keys_(std::move(keys)),
        key_(key),
        start_(current_request().start), deadline_(ctx.deadlines, deadline_of(ctx)),
        header_(new_completion_header(call_.model, *graph_)) {
    call_.request.cancel = deadline_.entry().cancel;
  }
  ~ChatStream() { finish(); }

  // httplib's chunked content provider: called on the connection's thread until done.
  bool pump(httplib::DataSink& sink) {
    if (!send(sink, chunk_json(header_, {{"role", "assistant"}, {"content", ""}}))) return abandon();
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
      for (const auto& p : pieces) ok = ok && send(sink, chunk_json(header_, {{"content", p}}));
      if (ok && pieces.empty() && !done) ok = sink.write(": keep-alive\n\n", 15);
      if (!ok) return abandon();
      if (done) break;
      lock.lock();
    }
    worker_.join();
    release_limits();  // before the last bytes: a client may start its next stream as soon as it has them
    if (error_) {
      const HttpError e = to_http_error(error_);
      if (e.status() >= 500) spdlog::error("chat stream {}: {}", header_.id, e.what());
      send(sink, e.body());
    } else if (*deadline_.entry().expired || result_.finish_reason == FinishReason::kCancelled) {
      try {
        check_not_cancelled(deadline_.entry(), ctx_);
      } catch (const HttpError& e) {
        send(sink, e.body());
      }
    } else {
      record_turn(ctx_, *graph_, result_);
      // The model's calls of the client's tools, whole, in one delta (OpenAI numbers them by index).
      if (!result_.model_tool_calls.empty()) {
        json calls = json::array();
        for (size_t i = 0; i < result_.model_tool_calls.size(); ++i) {
          json c = json::parse(result_.model_tool_calls[i].dump());
          c["index"] = i;
          calls.push_back(std::move(c));
        }
        if (!send(sink, chunk_json(header_, {{"tool_calls", calls}}))) return false;
      }
      if (!send(sink, chunk_json(header_, json::object(), to_string(result_.finish_reason))) ||
          !send(sink, final_chunk_json(header_, result_)))
        return false;
    }
    if (!sink.write("data: [DONE]\n\n", 14)) return false;
    sink.done();
    return true;
  }

  // Whatever happened: the generation stops, the thread is joined and the limits are released.
  void finish() {
    if (worker_.joinable()) {
      *deadline_.entry().cancel = true;
      worker_.join();
    }
    release_limits();
  }

 private:
  void release_limits() {
    slot_.release();
    if (key_ && !stream_released_) {
      keys_->end_stream(*key_);
      stream_released_ = true;
    }
  }

  void run() {
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

  static bool send(httplib::DataSink& sink, const json& event) {
    const std::string line = "data: " + event.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
    return sink.write(line.data(), line.size());
  }

  bool abandon() {
    spdlog::info("chat stream {}: the client left; generation cancelled", header_.id);
    finish();
    return false;
  }

  ServerContext& ctx_;
  std::shared_ptr<const ComponentGraph> graph_;
  ChatCall call_;
  AdmissionGate::Slot slot_;
  std::shared_ptr<KeyRing> keys_;
  std::optional<size_t> key_;
  bool stream_released_ = false;
  Clock::time_point start_;
  DeadlineGuard deadline_;
  CompletionHeader header_;
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pieces_;
  bool done_ = false;
  PipelineResult result_;
  std::exception_ptr error_;
};

}  // namespace

void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::shared_ptr<const ComponentGraph> graph = ctx.live->current();
  const ServerSettings& settings = settings_of(ctx);
  ChatCall call = parse_chat_request(parse_json_body(req.body), settings.params, *graph);
  if (call.request.session.empty()) call.request.session = req.get_header_value("X-Session-Id");
  const RequestInfo& info = current_request();
  KeyRing& keys = *settings.keys;
  if (info.key) {
    // A key limited to some pipelines: `default` counts as the pipeline it names.
    const ApiKey& key = keys.key(*info.key);
    const std::string pipeline = call.pipeline.empty() ? graph->default_pipeline() : call.pipeline;
    if (!key.models.empty() && std::find(key.models.begin(), key.models.end(), pipeline) == key.models.end()) {
      ctx.metrics.rejected("forbidden");
      throw HttpError(403, "permission_error",
                      fmt::format("key '{}' may not use model '{}' (it may use: {})", key.name, call.model,
                                  fmt::join(key.models, ", ")),
                      "model", "model_not_allowed");
    }
  }

  if (call.stream) {
    if (info.key && !keys.begin_stream(*info.key)) {
      ctx.metrics.rejected("stream_limit");
      throw HttpError(429, "rate_limit_error",
                      fmt::format("key '{}' already has {} streams open (max_concurrent_streams)",
                                  keys.key(*info.key).name, *keys.key(*info.key).max_concurrent_streams),
                      "", "stream_limit_exceeded");
    }
    std::shared_ptr<ChatStream> stream;
    try {
      stream = std::make_shared<ChatStream>(ctx, graph, std::move(call), admit(ctx), settings.keys, info.key);
    } catch (...) {
      if (info.key) keys.end_stream(*info.key);
      throw;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");  // nginx: pass events on as they come
    res.set_chunked_content_provider(
        "text/event-stream", [stream](size_t, httplib::DataSink& sink) { return stream->pump(sink); },
        [stream](bool) { stream->finish(); });
    return;
  }

  AdmissionGate::Slot slot = admit(ctx);
  // A client that hangs up cancels its generation (a stream notices at its next write).
  DeadlineGuard deadline(ctx.deadlines, deadline_of(ctx), find_client_socket(req));
  call.request.cancel = deadline.entry().cancel;
  bool first = true;
  call.request.on_text = [&](std::string_view piece) {
    if (first && !piece.empty()) {
      ctx.metrics.time_to_first_token(seconds_since(info.start));
      first = false;
    }
  };
  const PipelineResult result = graph->run(call.pipeline, call.request);
  if (result.finish_reason == FinishReason::kCancelled || *deadline.entry().cancel) check_not_cancelled(deadline.entry(), ctx);
  record_turn(ctx, *graph, result);
  reply_json(res, 200, completion_json(new_completion_header(call.model, *graph), result));
}

}  // namespace ragrt::server
