// Operations and discovery: GET /readyz, /metrics, /v1/models, /v1/traces/{id}.
#include <fmt/chrono.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "ragrt/trace.h"
#include "server/http_error.h"
#include "server/server_context.h"

namespace ragrt::server {
namespace {

int64_t epoch_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

void handle_readyz(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  const LiveGraphStatus s = ctx.live->status();
  const auto graph = ctx.live->current();
  const bool loaded = graph != nullptr;
  const bool ready = loaded && !ctx.draining;
  const ServerSettings& settings = settings_of(ctx);
  std::string server_section = "in force";
  if (!settings.error.empty()) {
    server_section = "not applied (the previous one is in force): " + settings.error;
  } else if (!settings.pending_restart.empty()) {
    server_section = fmt::format("in force; restart to apply {}", fmt::join(settings.pending_restart, ", "));
  }
  reply_json(res, ready ? 200 : 503,
             {{"status", ctx.draining ? "draining" : loaded ? "ready" : "loading"},
              {"config_version", s.version},
              {"reloads", s.reloads},
              {"failures", s.failures},
              {"last_error", s.last_error},
              {"loaded_at", fmt::format("{:%FT%TZ}", std::chrono::time_point_cast<std::chrono::seconds>(s.loaded_at))},
              {"server_section", server_section},
              {"in_flight", ctx.gate.running()},
              {"queued", ctx.gate.waiting()}});
}

void handle_metrics(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  const LiveGraphStatus s = ctx.live->status();
  const auto graph = ctx.live->current();
  res.set_content(ctx.metrics.render({ctx.gate.running(), ctx.gate.waiting(), s.reloads, s.failures, s.version,
                                      graph ? graph->generator().batching_stats() : std::nullopt}),
                  "text/plain; version=0.0.4; charset=utf-8");
}

void handle_models(ServerContext& ctx, const httplib::Request&, httplib::Response& res) {
  const auto graph = ctx.live->current();
  const int64_t created = epoch_seconds(ctx.live->status().loaded_at);
  json data = json::array();
  auto add = [&](const std::string& id, const std::string& pipeline) {
    data.push_back({{"id", id},
                    {"object", "model"},
                    {"created", created},
                    {"owned_by", "ragrt"},
                    {"pipeline", pipeline},
                    {"type", graph->pipeline(pipeline).type()}});
  };
  add("default", graph->default_pipeline());
  for (const auto& name : graph->pipeline_names()) add(name, name);
  reply_json(res, 200, {{"object", "list"}, {"data", data}});
}

void handle_trace(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto graph = ctx.live->current();
  const TraceStore* store = graph->traces();
  if (!store)
    throw HttpError(404, "not_found_error", "traces are not stored by this server's config (traces.enabled: false)");
  const std::string id = req.matches[1].str();
  if (id.size() < 8 || id.find_first_not_of("0123456789abcdef") != std::string::npos)
    bad_request("id", "a trace id is 32 lowercase hex digits (or a unique prefix of at least 8)");
  const auto trace = store->load(id);
  if (!trace) throw HttpError(404, "not_found_error", fmt::format("no trace '{}'", id), "id", "trace_not_found");
  reply_json(res, 200, *trace);
}

}  // namespace ragrt::server
