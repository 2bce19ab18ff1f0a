// Trace and TraceSpan: a tree of nodes guarded by one mutex per trace. Spans of one request are
// few and short-lived, so a single lock costs nothing measurable and keeps the tree consistent
// when tool calls run in parallel.
#include <algorithm>
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "ragrt/trace.h"
#include "util/utc_time.h"

namespace ragrt {

struct TraceSpan::Node {
  std::string name;
  std::chrono::steady_clock::time_point start;
  std::optional<std::chrono::steady_clock::time_point> end;
  std::string status = "ok";
  std::string error;
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
  std::vector<std::shared_ptr<Node>> children;
};

namespace {

using Node = TraceSpan::Node;
using Clock = std::chrono::steady_clock;

// Whole microseconds since the trace start: enough for audits, keeps the JSON short, and because
// start and end are cut the same way, a child's start + duration never passes its parent's.
int64_t us_since(Clock::time_point t0, Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t - t0).count();
}

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

// A parent never outlives its children on paper: ending it ends whatever below is still open.
void end_open(Node& node, Clock::time_point now) {
  if (!node.end) node.end = std::max(node.start, now);
  for (auto& c : node.children) end_open(*c, std::min(now, *node.end));
}

nlohmann::ordered_json to_json(const Node& node, Clock::time_point t0) {
  nlohmann::ordered_json j;
  j["name"] = node.name;
  const int64_t start = us_since(t0, node.start);
  j["start_ms"] = ms(start);
  j["duration_ms"] = ms(us_since(t0, *node.end) - start);
  j["status"] = node.status;
  if (node.status != "ok") j["error"] = node.error;
  j["attributes"] = node.attributes;
  j["children"] = nlohmann::ordered_json::array();
  for (const auto& c : node.children) j["children"].push_back(to_json(*c, t0));
  return j;
}

std::string random_trace_id() {
  // One generator per thread: std::random_device may be slow or a syscall, so only seed from it.
  thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}


}  // namespace

void TraceSpan::set(const std::string& key, nlohmann::ordered_json value) {
  std::lock_guard lock(*mutex_);
  node_->attributes[key] = std::move(value);
}

void TraceSpan::fail(const std::string& error) {
  std::lock_guard lock(*mutex_);
  node_->status = "error";
  node_->error = error;
}

void TraceSpan::degrade(const std::string& why) {
  std::lock_guard lock(*mutex_);
  if (node_->status != "ok") return;
  node_->status = "degraded";
  node_->error = why;
}

void TraceSpan::end() {
  const auto now = Clock::now();
  std::lock_guard lock(*mutex_);
  end_open(*node_, now);
}

std::shared_ptr<TraceSpan> TraceSpan::child(const std::string& name) {
  auto node = std::make_shared<Node>();
  node->name = name;
  {
    std::lock_guard lock(*mutex_);
    node->start = Clock::now();  // under the lock, so children's start times follow their order
    node_->children.push_back(node);
  }
  return std::shared_ptr<TraceSpan>(new TraceSpan(std::move(node), mutex_, t0_));
}

Trace::Trace(std::string kind, std::string config_version)
    : id_(random_trace_id()),
      kind_(std::move(kind)),
      config_version_(std::move(config_version)),
      started_wall_(std::chrono::system_clock::now()),
      t0_(Clock::now()),
      mutex_(std::make_shared<std::mutex>()) {
  auto node = std::make_shared<Node>();
  node->name = kind_;
  node->start = t0_;
  root_ = std::shared_ptr<TraceSpan>(new TraceSpan(std::move(node), mutex_, t0_));
}

nlohmann::ordered_json Trace::finish() {
  const auto now = Clock::now();
  std::lock_guard lock(*mutex_);
  if (finished_) return *finished_;
  const Node& root = *root_->node_;
  end_open(*root_->node_, now);
  nlohmann::ordered_json j;
  j["trace_id"] = id_;
  j["kind"] = kind_;
  j["config_version"] = config_version_;
  j["started_at"] = util::iso8601_utc(started_wall_);
  j["duration_ms"] = ms(us_since(t0_, *root.end));
  j["root"] = to_json(root, t0_);
  finished_ = std::move(j);
  return *finished_;
}

}  // namespace ragrt
