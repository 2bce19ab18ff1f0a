#include "server/metrics.h"

#include <fmt/format.h>

namespace ragrt::server {
namespace {

const std::vector<double> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  size_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds_[i], cumulative);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, count_);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, sum_, name, braces, count_);
}

Metrics::Metrics()
    : ttft_(kLatencyBounds), tokens_per_second_({1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000}) {}

void Metrics::request(const std::string& route, int status, std::optional<double> seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  if (seconds) latency_.try_emplace(route, kLatencyBounds).first->second.observe(*seconds);
}

void Metrics::time_to_first_token(double seconds) {
  std::lock_guard lock(mutex_);
  ttft_.observe(seconds);
}

void Metrics::tokens(size_t prompt, size_t completion, double generation_seconds) {
  std::lock_guard lock(mutex_);
  prompt_tokens_ += prompt;
  completion_tokens_ += completion;
  if (completion > 0 && generation_seconds > 0) tokens_per_second_.observe(static_cast<double>(completion) / generation_seconds);
}

void Metrics::rejected(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++rejected_[reason];
}

void Metrics::turn(const PipelineResult& r, const std::function<bool(const std::string&)>& is_tool) {
  std::lock_guard lock(mutex_);
  PipelineFigures& p = pipelines_.try_emplace(r.pipeline, PipelineFigures{0, 0, 0, Histogram(kLatencyBounds)}).first->second;
  ++p.requests;
  p.refused += r.refused;
  p.degraded += r.degraded;
  p.latency.observe(r.total_ms / 1000);
  for (const ToolCallRecord& call : r.tool_calls) {
    const std::string tool = is_tool(call.name) ? call.name : "(unknown)";
    ++tool_calls_[{tool, to_string(call.result.outcome)}];
    tool_latency_.try_emplace(tool, kLatencyBounds).first->second.observe(call.result.latency_ms / 1000);
  }
  if (!r.retriever.empty()) retriever_latency_.try_emplace(r.retriever, kLatencyBounds).first->second.observe(r.retrieve_ms / 1000);
}

std::string Metrics::render(const MetricsGauges& g) const {
  std::lock_guard lock(mutex_);
  std::string out;
  header(out, "ragrt_http_requests_total", "counter", "HTTP requests by route and status");
  for (const auto& [key, n] : requests_)
    out += fmt::format("ragrt_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", escape_label(key.first), key.second, n);
  header(out, "ragrt_http_request_duration_seconds", "histogram", "HTTP request latency (streams: until the last byte)");
  for (const auto& [route, h] : latency_)
    h.render(out, "ragrt_http_request_duration_seconds", fmt::format("route=\"{}\"", escape_label(route)));
  header(out, "ragrt_time_to_first_token_seconds", "histogram", "chat: request start to the first answer text");
  ttft_.render(out, "ragrt_time_to_first_token_seconds", "");
  header(out, "ragrt_generation_tokens_per_second", "histogram", "chat: completion tokens per second of generation");
  tokens_per_second_.render(out, "ragrt_generation_tokens_per_second", "");
  header(out, "ragrt_tokens_total", "counter", "chat tokens by kind");
  out += fmt::format("ragrt_tokens_total{{kind=\"prompt\"}} {}\nragrt_tokens_total{{kind=\"completion\"}} {}\n",
                     prompt_tokens_, completion_tokens_);
  header(out, "ragrt_rejected_requests_total", "counter", "requests refused before running, by reason");
  for (const auto& [reason, n] : rejected_) out += fmt::format("ragrt_rejected_requests_total{{reason=\"{}\"}} {}\n", reason, n);
  header(out, "ragrt_pipeline_requests_total", "counter", "answered chat requests by pipeline");
  for (const auto& [name, p] : pipelines_)
    out += fmt::format("ragrt_pipeline_requests_total{{pipeline=\"{}\"}} {}\n", escape_label(name), p.requests);
  header(out, "ragrt_pipeline_refusals_total", "counter", "answers that said the documents do not answer, by pipeline");
  for (const auto& [name, p] : pipelines_)
    out += fmt::format("ragrt_pipeline_refusals_total{{pipeline=\"{}\"}} {}\n", escape_label(name), p.refused);
  header(out, "ragrt_pipeline_degraded_total", "counter", "answers given without a tool that failed, by pipeline");
  for (const auto& [name, p] : pipelines_)
    out += fmt::format("ragrt_pipeline_degraded_total{{pipeline=\"{}\"}} {}\n", escape_label(name), p.degraded);
  header(out, "ragrt_pipeline_duration_seconds", "histogram", "pipeline run time (retrieval, tools, generation)");
  for (const auto& [name, p] : pipelines_)
    p.latency.render(out, "ragrt_pipeline_duration_seconds", fmt::format("pipeline=\"{}\"", escape_label(name)));
  header(out, "ragrt_tool_calls_total", "counter", "tool calls by tool and outcome (ok, not_found, invalid_argument, unavailable, timeout, refused)");
  for (const auto& [key, n] : tool_calls_)
    out += fmt::format("ragrt_tool_calls_total{{tool=\"{}\",outcome=\"{}\"}} {}\n", escape_label(key.first), key.second, n);
  header(out, "ragrt_tool_call_duration_seconds", "histogram", "tool call latency, retries included");
  for (const auto& [name, h] : tool_latency_)
    h.render(out, "ragrt_tool_call_duration_seconds", fmt::format("tool=\"{}\"", escape_label(name)));
  header(out, "ragrt_tool_degraded", "gauge", "1 for a tool whose last degraded_after calls (tools.NAME.degraded_after) all failed");
  for (const auto& name : g.degraded_tools) out += fmt::format("ragrt_tool_degraded{{tool=\"{}\"}} 1\n", escape_label(name));
  header(out, "ragrt_retrieval_duration_seconds", "histogram", "retrieval latency by retriever (search, fusion, rerank)");
  for (const auto& [name, h] : retriever_latency_)
    h.render(out, "ragrt_retrieval_duration_seconds", fmt::format("retriever=\"{}\"", escape_label(name)));
  header(out, "ragrt_requests_in_flight", "gauge", "requests running on the models");
  out += fmt::format("ragrt_requests_in_flight {}\n", g.in_flight);
  header(out, "ragrt_queue_depth", "gauge", "requests waiting for a model slot");
  out += fmt::format("ragrt_queue_depth {}\n", g.queued);
  header(out, "ragrt_config_reloads_total", "counter", "config edits swapped in");
  out += fmt::format("ragrt_config_reloads_total {}\n", g.config_reloads);
  header(out, "ragrt_config_reload_failures_total", "counter", "config edits rejected (the previous config kept serving)");
  out += fmt::format("ragrt_config_reload_failures_total {}\n", g.config_failures);
  if (g.batching) {
    const BatchingStats& b = *g.batching;
    header(out, "ragrt_engine_batch_size", "histogram", "sequences decoded together, per decode step of the local engine");
    uint64_t cumulative = 0;
    for (size_t n = 1; n < b.steps_by_batch_size.size(); ++n) {
      cumulative += b.steps_by_batch_size[n];
      out += fmt::format("ragrt_engine_batch_size_bucket{{le=\"{}\"}} {}\n", n, cumulative);
    }
    out += fmt::format("ragrt_engine_batch_size_bucket{{le=\"+Inf\"}} {}\nragrt_engine_batch_size_sum {}\n"
                       "ragrt_engine_batch_size_count {}\n",
                       b.steps, b.rows, b.steps);
    header(out, "ragrt_engine_active_sequences", "gauge", "sequences the local engine is decoding");
    out += fmt::format("ragrt_engine_active_sequences {}\n", b.active);
    header(out, "ragrt_engine_queued_sequences", "gauge", "sequences waiting for a place in the engine's batch");
    out += fmt::format("ragrt_engine_queued_sequences {}\n", b.queued);
  }
  header(out, "ragrt_config_info", "gauge", "the config version serving");
  out += fmt::format("ragrt_config_info{{version=\"{}\"}} 1\n", escape_label(g.config_version));
  return out;
}

}  // namespace ragrt::server
