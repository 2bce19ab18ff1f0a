#pragma once
// The bounded queue in front of the models: at most `max_running` requests run at once and at
// most `max_waiting` wait for a slot; a request beyond that is refused at once (429) rather than
// left to time out, and one that waits past its deadline gives up (504).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace ragrt::server {

class AdmissionGate {
 public:
  AdmissionGate(size_t max_running, size_t max_waiting) : max_running_(max_running), max_waiting_(max_waiting) {}

  enum class Entry { kAdmitted, kFull, kTimedOut, kClosed };

  // Holds a running slot until destroyed.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(AdmissionGate* gate) : gate_(gate) {}
    Slot(Slot&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Slot& operator=(Slot&& o) noexcept;
    ~Slot() { release(); }
    void release();
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    AdmissionGate* gate_ = nullptr;
  };

  Entry enter(std::chrono::steady_clock::time_point deadline, Slot& slot);
  // Draining: waiting requests give up (kClosed) and new ones are refused.
  void close();
  size_t running() const;
  size_t waiting() const;

 private:
  const size_t max_running_, max_waiting_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  size_t running_ = 0, waiting_ = 0;
  bool closed_ = false;
};

}  // namespace ragrt::server
