#include "server/admission.h"

namespace ragrt::server {

AdmissionGate::Slot& AdmissionGate::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    release();
    gate_ = o.gate_;
    o.gate_ = nullptr;
  }
  return *this;
}

void AdmissionGate::Slot::release() {
  if (!gate_) return;
  {
    std::lock_guard lock(gate_->mutex_);
    --gate_->running_;
  }
  gate_->freed_.notify_one();
  gate_ = nullptr;
}

AdmissionGate::Entry AdmissionGate::enter(std::chrono::steady_clock::time_point deadline, Slot& slot) {
  std::unique_lock lock(mutex_);
  if (closed_) return Entry::kClosed;
  if (running_ < max_running_ && waiting_ == 0) {
    ++running_;
    slot = Slot(this);
    return Entry::kAdmitted;
  }
  if (waiting_ >= max_waiting_) return Entry::kFull;
  ++waiting_;
  const bool got = freed_.wait_until(lock, deadline, [&] { return closed_ || running_ < max_running_; });
  --waiting_;
  if (closed_) return Entry::kClosed;
  if (!got) return Entry::kTimedOut;
  ++running_;
  slot = Slot(this);
  return Entry::kAdmitted;
}

void AdmissionGate::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  freed_.notify_all();
}

size_t AdmissionGate::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

size_t AdmissionGate::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace ragrt::server
