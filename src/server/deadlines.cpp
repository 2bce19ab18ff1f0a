#include "server/deadlines.h"

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

Deadlines::Entry Deadlines::watch(Clock::time_point deadline) {
  Entry e{0, std::make_shared<std::atomic<bool>>(false), std::make_shared<std::atomic<bool>>(false)};
  {
    std::lock_guard lock(mutex_);
    e.id = next_id_++;
    watched_[e.id] = {deadline, e};
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
    }
    if (next == Clock::time_point::max()) changed_.wait(lock);
    else changed_.wait_until(lock, next);
  }
}

}  // namespace ragrt::server
