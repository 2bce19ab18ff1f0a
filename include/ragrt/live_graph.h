#pragma once
// A config file kept live: the component graph serving requests is rebuilt when the file changes,
// without a restart. The new graph is built in the background while the old one keeps serving,
// sharing every model whose settings did not change (ModelCache); then it is swapped in at once.
// A request takes current() once and runs to the end on that graph, so requests already running
// finish on the old graph. An edit that does not validate or build leaves the old graph serving;
// the error (file:line:column and what is expected) goes to the log and to status().
//
//   LiveGraph live({.file = "ragrt.yaml"});          // throws when the file is invalid at start
//   auto graph = live.current();                      // per request
//   graph->run("", request);
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ragrt/component_graph.h"
#include "ragrt/model_cache.h"

namespace ragrt {

struct LiveGraphStatus {
  std::string version;     // of the graph serving now (ComponentGraph::version)
  size_t reloads = 0;      // graphs swapped in since start
  size_t failures = 0;     // edits rejected since start
  std::string last_error;  // why the latest edit was rejected; "" once an edit is accepted
  std::chrono::system_clock::time_point loaded_at;  // when the serving graph was swapped in
};

struct LiveGraphParams {
  std::filesystem::path file;
  // How often the file is checked (its bytes are compared, so an editor's rename-over-the-file and
  // same-second edits are both seen). 0: no watcher; call reload() instead (tests, SIGHUP).
  std::chrono::milliseconds poll_interval{1000};
  // Called after each reload attempt with the new status (metrics, logs); on the watcher thread.
  std::function<void(const LiveGraphStatus&)> on_reload;
};

class LiveGraph {
 public:
  explicit LiveGraph(LiveGraphParams params);
  ~LiveGraph();  // stops the watcher; graphs handed out stay valid while held
  LiveGraph(const LiveGraph&) = delete;
  LiveGraph& operator=(const LiveGraph&) = delete;

  std::shared_ptr<const ComponentGraph> current() const;
  LiveGraphStatus status() const;
  // Reads the file now. True when it changed and the new graph was swapped in; false when it is
  // unchanged or the edit was rejected (see status()). Never throws for a bad file.
  bool reload();

 private:
  void watch();

  LiveGraphParams params_;
  ModelCache models_;
  mutable std::mutex mutex_;  // guards graph_, status_, seen_
  std::shared_ptr<const ComponentGraph> graph_;
  LiveGraphStatus status_;
  std::string seen_;          // bytes of the file last built (or rejected): unchanged bytes are not rebuilt
  std::mutex reload_mutex_;   // one build at a time (watcher and reload() callers)
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread watcher_;
};

}  // namespace ragrt
