#pragma once
// The server's Prometheus metrics, rendered in the text exposition format (version 0.0.4).
// Counters and histograms only grow; gauges (in flight, queued, reloads) are read at scrape time.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ragrt/generator.h"
#include "ragrt/pipeline.h"

namespace ragrt::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}
  void observe(double value);
  // `name`_bucket{le=…}, _sum and _count lines, with `labels` ("" or `route="x"`) on each.
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<size_t> counts_;  // per bucket, not cumulative; the last is +Inf
  double sum_ = 0;
  size_t count_ = 0;
};

// What /metrics reads from elsewhere when it is scraped.
struct MetricsGauges {
  size_t in_flight = 0;  // requests running on the models
  size_t queued = 0;     // waiting for a slot
  size_t config_reloads = 0, config_failures = 0;
  std::string config_version;
  std::optional<BatchingStats> batching;  // the serving config's generator, when it batches
  std::vector<std::string> degraded_tools;  // ToolHealth::degraded(), by name
};

class Metrics {
 public:
  Metrics();
  // One finished HTTP request: `route` is the pattern (/v1/traces/{id}), not the path; `seconds`
  // unset when it is not known.
  void request(const std::string& route, int status, std::optional<double> seconds);
  void time_to_first_token(double seconds);
  void tokens(size_t prompt, size_t completion, double generation_seconds);
  void rejected(const std::string& reason);  // queue_full, rate_limit, stream_limit, unauthorized
  // One answered pipeline run: its requests, latency, refusals and degraded answers; each tool
  // call by outcome with its latency; the retriever's latency. A call to a name that is not a
  // configured tool (`is_tool` false: a model made it up) counts as tool "(unknown)", so what a
  // model writes cannot grow the label set.
  void turn(const PipelineResult& result, const std::function<bool(const std::string&)>& is_tool);
  std::string render(const MetricsGauges& gauges) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, size_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  Histogram ttft_;
  Histogram tokens_per_second_;
  size_t prompt_tokens_ = 0, completion_tokens_ = 0;
  std::map<std::string, size_t> rejected_;
  struct PipelineFigures {
    size_t requests = 0, refused = 0, degraded = 0;
    Histogram latency;
  };
  std::map<std::string, PipelineFigures> pipelines_;
  std::map<std::pair<std::string, std::string>, size_t> tool_calls_;  // (tool, outcome)
  std::map<std::string, Histogram> tool_latency_;
  std::map<std::string, Histogram> retriever_latency_;
};

}  // namespace ragrt::server
