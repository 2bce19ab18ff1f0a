#pragma once
// Cancels generations from outside: when a request passes its deadline, and all of them when a
// drain runs out of time. Pipelines check PipelineRequest::cancel between steps, so setting the
// flag is how a running request is stopped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace ragrt::server {

class Deadlines {
 public:
  using Clock = std::chrono::steady_clock;
  Deadlines();
  ~Deadlines();
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  // A cancel flag for a request, set at `deadline` (or by cancel_all) until `forget(id)`.
  struct Entry {
    uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::shared_ptr<std::atomic<bool>> expired;  // set when the deadline (not a drain) cancelled it
  };
  Entry watch(Clock::time_point deadline);
  void forget(uint64_t id);
  void cancel_all();
  size_t size() const;

 private:
  void run();
  struct Watched {
    Clock::time_point deadline;
    Entry entry;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<uint64_t, Watched> watched_;
  uint64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

// Unregisters an entry when the request ends, however it ends.
class DeadlineGuard {
 public:
  DeadlineGuard(Deadlines& d, Deadlines::Clock::time_point deadline) : deadlines_(d), entry_(d.watch(deadline)) {}
  ~DeadlineGuard() { deadlines_.forget(entry_.id); }
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;
  const Deadlines::Entry& entry() const { return entry_; }

 private:
  Deadlines& deadlines_;
  Deadlines::Entry entry_;
};

}  // namespace ragrt::server
