// Operations and discovery: GET /readyz, /metrics, /v1/models, /v1/traces, /v1/traces/{id}.
#include <algorithm>

#include <fmt/chrono.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"
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
  // A failing tool does not make the server unready: questions about documents are still served.
  const json degraded = ctx.tool_health.degraded_json();
  reply_json(res, ready ? 200 : 503,
             {{"status", ctx.draining ? "draining" : !loaded ? "loading" : degraded.empty() ? "ready" : "degraded"},
              {"degraded_tools", degraded},
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
                                      graph ? graph->generator().batching_stats() : std::nullopt, ctx.tool_health.degraded()}),
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

void handle_traces(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const auto graph = ctx.live->current();
  const TraceStore* store = graph->traces();
  if (!store)
    throw HttpError(404, "not_found_error", "traces are not stored by this server's config (traces.enabled: false)");
  for (const auto& [name, value] : req.params) {
    static const std::vector<std::string> kKnown = {"since", "until", "pipeline", "status", "session", "text", "limit", "cursor"};
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end())
      bad_request(name, "unknown parameter '{}' (known: {})", name, fmt::join(kKnown, ", "));
  }
  auto param = [&](const char* name) { return req.has_param(name) ? req.get_param_value(name) : std::string(); };
  TraceQuery q;
  for (const char* bound : {"since", "until"}) {
    if (param(bound).empty()) continue;
    try {
      (bound == std::string("since") ? q.since : q.until) = normalize_trace_time(param(bound), bound);
    } catch (const Error& e) {
      bad_request(bound, "{}", e.what());
    }
  }
  q.pipeline = param("pipeline");
  q.status = param("status");
  if (!q.status.empty() && q.status != "ok" && q.status != "degraded" && q.status != "error")
    bad_request("status", "status is ok, degraded or error");
  q.session = param("session");
  q.text = param("text");
  q.cursor = param("cursor");
  if (!param("limit").empty()) {
    const std::string l = param("limit");
    if (l.size() > 4 || l.find_first_not_of("0123456789") != std::string::npos || std::stoul(l) < 1 || std::stoul(l) > 1000)
      bad_request("limit", "limit is a whole number from 1 to 1000");
    q.limit = std::stoul(l);
  }
  TracePage page;
  try {
    page = store->list(q);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kInvalidArgument) throw;
    bad_request("cursor", "{}", e.what());
  }
  json data = json::array();
  for (const auto& t : page.traces) data.push_back(json::parse(t.dump()));
  json body = {{"object", "list"}, {"data", data}, {"has_more", !page.next_cursor.empty()}};
  body["next_cursor"] = page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor);
  reply_json(res, 200, body);
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
