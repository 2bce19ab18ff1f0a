#include "ragrt/live_graph.h"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "ragrt/error.h"

namespace ragrt {
namespace {

// The file's bytes, or std::nullopt with `error` set when it cannot be read (an editor may have
// removed it for a moment while saving).
std::optional<std::string> read_bytes(const std::filesystem::path& file, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *error = file.string() + ": cannot read the config file";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const ComponentGraph> build_graph(const std::filesystem::path& file, const std::string& text,
                                                  ModelCache::Build& models) {
  std::filesystem::path base = file.parent_path();
  if (base.empty()) base = ".";
  config::ConfigErrors errors;  // the file's and the graph's mistakes, reported together
  RagConfig config = RagConfig::parse(text, file, base, &errors);
  return ComponentGraph::build(std::move(config), /*check_only=*/false, &models, &errors);
}

}  // namespace

LiveGraph::LiveGraph(LiveGraphParams params) : params_(std::move(params)) {
  std::string error;
  auto text = read_bytes(params_.file, &error);
  if (!text) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}", error);
  auto build = models_.start_build();
  graph_ = build_graph(params_.file, *text, build);
  build.commit();
  seen_ = *text;
  status_.version = graph_->version();
  status_.loaded_at = std::chrono::system_clock::now();
  if (params_.poll_interval.count() > 0) watcher_ = std::thread([this] { watch(); });
}

LiveGraph::~LiveGraph() {
  {
    std::lock_guard lock(stop_mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::shared_ptr<const ComponentGraph> LiveGraph::current() const {
  std::lock_guard lock(mutex_);
  return graph_;
}

LiveGraphStatus LiveGraph::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

bool LiveGraph::reload() {
  std::lock_guard one_build(reload_mutex_);
  std::string error;
  const auto text = read_bytes(params_.file, &error);
  const std::string seen = text ? *text : "\n<unreadable>\n" + error;
  std::string serving_text;
  {
    std::lock_guard lock(mutex_);
    if (seen == seen_) return false;
    serving_text = graph_->config().text;
  }
  bool swapped = false;
  LiveGraphStatus after;
  if (text && *text == serving_text) {
    // A rejected edit was undone: the serving graph is what the file says again.
    std::lock_guard lock(mutex_);
    seen_ = seen;
    status_.last_error.clear();
    after = status_;
  } else {
    try {
      if (!text) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}", error);
      auto build = models_.start_build();
      auto graph = build_graph(params_.file, *text, build);
      build.commit();
      std::lock_guard lock(mutex_);
      graph_ = std::move(graph);  // requests holding the old graph finish on it
      seen_ = seen;
      status_.version = graph_->version();
      ++status_.reloads;
      status_.last_error.clear();
      status_.loaded_at = std::chrono::system_clock::now();
      after = status_;
      swapped = true;
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      seen_ = seen;
      ++status_.failures;
      status_.last_error = e.what();
      after = status_;
    }
    if (swapped) {
      spdlog::info("config {}: reloaded, now version {}", params_.file.string(), after.version);
    } else {
      spdlog::error("config {}: edit rejected, still serving version {}: {}", params_.file.string(), after.version,
                    after.last_error);
    }
  }
  if (params_.on_reload) params_.on_reload(after);
  return swapped;
}

void LiveGraph::watch() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, params_.poll_interval, [this] { return stop_; })) {
    lock.unlock();
    try {
      reload();
    } catch (const std::exception& e) {
      // reload() reports bad files itself; anything else must not end the watcher either.
      spdlog::error("config {}: watcher: {}", params_.file.string(), e.what());
    }
    lock.lock();
  }
}

}  // namespace ragrt
