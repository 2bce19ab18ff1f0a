#include "server/deadlines.h"

#include "server/client_socket.h"

namespace ragrt::server {

Deadlines::Deadlines() : thread_([this] { run(); }) {}

Deadlines::~Deadlines() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Deadlines::Entry Deadlines::watch(Clock::time_point deadline, int client_socket) {
  Entry e{0, std::make_shared<std::atomic<bool>>(false), std::make_shared<std::atomic<bool>>(false),
          std::make_shared<std::atomic<bool>>(false)};
  {
    std::lock_guard lock(mutex_);
    e.id = next_id_++;
    watched_[e.id] = {deadline, e, client_socket};
  }
  changed_.notify_all();
  return e;
}

void Deadlines::forget(uint64_t id) {
  std::lock_guard lock(mutex_);
  watched_.erase(id);
}

void Deadlines::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [id, w] : watched_) *w.entry.cancel = true;
}

size_t Deadlines::size() const {
  std::lock_guard lock(mutex_);
  return watched_.size();
}

void Deadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    auto next = Clock::time_point::max();
    const auto now = Clock::now();
    for (auto& [id, w] : watched_) {
      if (w.deadline <= now) {
        if (!*w.entry.cancel) *w.entry.expired = true;
        *w.entry.cancel = true;
      } else {
        next = std::min(next, w.deadline);
      }
      // The socket stays open while its request is watched: httplib closes it after the reply,
      // and the request forgets its entry before replying.
      if (w.client_socket >= 0 && !*w.entry.cancel) {
        if (peer_closed(w.client_socket)) {
          *w.entry.client_left = true;
          *w.entry.cancel = true;
        } else {
          next = std::min(next, now + kClientPoll);
        }
      }
    }
    if (next == Clock::time_point::max()) changed_.wait(lock);
    else changed_.wait_until(lock, next);
  }
}

}  // namespace ragrt::server
