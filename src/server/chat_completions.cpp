// POST /v1/chat/completions: a pipeline run through ComponentGraph::run (so its trace is stored),
// answered whole or streamed as server-sent events; serve_answer does the same for every route
// that answers with a pipeline.
#include <algorithm>

#include <fmt/ranges.h>

#include "server/answer_stream.h"
#include "server/chat_json.h"
#include "server/client_socket.h"
#include "server/http_error.h"
#include "server/server_context.h"

namespace ragrt::server {
namespace {

// chat.completion.chunk events: the role first, then content deltas, then the model's calls of
// the client's tools (whole, in one delta), the finish reason, and usage with citations.
StreamWire chat_wire(const CompletionHeader& header) {
  StreamWire w;
  w.opening = {chunk_json(header, {{"role", "assistant"}, {"content", ""}})};
  w.piece = [header](const std::string& p) { return chunk_json(header, {{"content", p}}); };
  w.closing = [header](const PipelineResult& r) {
    std::vector<json> events;
    if (!r.model_tool_calls.empty()) {
      json calls = json::array();
      for (size_t i = 0; i < r.model_tool_calls.size(); ++i) {
        json c = json::parse(r.model_tool_calls[i].dump());
        c["index"] = i;
        calls.push_back(std::move(c));
      }
      events.push_back(chunk_json(header, {{"tool_calls", calls}}));
    }
    events.push_back(chunk_json(header, json::object(), to_string(r.finish_reason)));
    events.push_back(final_chunk_json(header, r));
    return events;
  };
  return w;
}

}  // namespace

void serve_answer(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                  std::shared_ptr<const ComponentGraph> graph, ChatCall call, const AnswerShapes& shapes) {
  const ServerSettings& settings = settings_of(ctx);
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
  const CompletionHeader header = new_completion_header(call.model, *graph, shapes.id_prefix);

  if (call.stream) {
    if (info.key && !keys.begin_stream(*info.key)) {
      ctx.metrics.rejected("stream_limit");
      throw HttpError(429, "rate_limit_error",
                      fmt::format("key '{}' already has {} streams open (max_concurrent_streams)",
                                  keys.key(*info.key).name, *keys.key(*info.key).max_concurrent_streams),
                      "", "stream_limit_exceeded");
    }
    std::shared_ptr<AnswerStream> stream;
    try {
      stream = std::make_shared<AnswerStream>(ctx, graph, std::move(call), admit(ctx), settings.keys, info.key,
                                              shapes.stream(header));
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
  reply_json(res, 200, shapes.whole(header, result));
}

void handle_chat_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::shared_ptr<const ComponentGraph> graph = ctx.live->current();
  ChatCall call = parse_chat_request(parse_json_body(req.body), settings_of(ctx).params, *graph);
  serve_answer(ctx, req, res, graph, std::move(call), {"chatcmpl-", chat_wire, completion_json});
}

}  // namespace ragrt::server
