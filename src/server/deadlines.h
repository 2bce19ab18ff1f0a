#pragma once
// Cancels generations from outside: when a request passes its deadline, when its client has left
// (a non-streaming request whose connection is watched), and all of them when a drain runs out of
// time. Pipelines check PipelineRequest::cancel between steps, so setting the
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

  // A cancel flag for a request, set at `deadline` (or by cancel_all) until `forget(id)`. With a
  // `client_socket` (server/client_socket.h), also set when that connection's peer closes it,
  // checked every kClientPoll.
  struct Entry {
    uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::shared_ptr<std::atomic<bool>> expired;      // set when the deadline (not a drain) cancelled it
    std::shared_ptr<std::atomic<bool>> client_left;  // set when the client's leaving cancelled it
  };
  static constexpr std::chrono::milliseconds kClientPoll{100};
  Entry watch(Clock::time_point deadline, int client_socket = -1);
  void forget(uint64_t id);
  void cancel_all();
  size_t size() const;

 private:
  void run();
  struct Watched {
    Clock::time_point deadline;
    Entry entry;
    int client_socket = -1;
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
  DeadlineGuard(Deadlines& d, Deadlines::Clock::time_point deadline, int client_socket = -1)
      : deadlines_(d), entry_(d.watch(deadline, client_socket)) {}
  ~DeadlineGuard() { deadlines_.forget(entry_.id); }
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;
  const Deadlines::Entry& entry() const { return entry_; }

 private:
  Deadlines& deadlines_;
  Deadlines::Entry entry_;
};

}  // namespace ragrt::server
