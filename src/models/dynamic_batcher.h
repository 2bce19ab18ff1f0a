#pragma once
// Gathers the requests of concurrent callers and hands them to one processing function together,
// so that small requests arriving at the same time share one model run (see DynamicBatching).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ragrt::models {

template <typename Item, typename Result>
class DynamicBatcher {
 public:
  // `process` gets the items of several requests concatenated and returns one result per item, in
  // the same order. It runs on the batcher's worker thread, one call at a time.
  using Process = std::function<std::vector<Result>(std::vector<Item>& items)>;

  DynamicBatcher(Process process, size_t max_items, std::chrono::microseconds max_wait)
      : process_(std::move(process)), max_items_(max_items ? max_items : 1), max_wait_(max_wait) {
    worker_ = std::thread([this] { loop(); });
  }

  ~DynamicBatcher() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // Blocks until the request's results are ready; rethrows what `process` threw for its gathering.
  std::vector<Result> submit(std::vector<Item> items) {
    if (items.empty()) return {};
    Request req{std::move(items), {}, std::chrono::steady_clock::now()};
    auto done = req.done.get_future();
    {
      std::lock_guard<std::mutex> lk(mu_);
      queued_items_ += req.items.size();
      queue_.push_back(&req);
    }
    cv_.notify_all();
    return done.get();
  }

  // Items waiting for the next gathering.
  size_t pending_items() const {
    std::lock_guard<std::mutex> lk(mu_);
    return queued_items_;
  }

  // Number of process() calls so far: lets tests see that requests were merged.
  size_t runs() const {
    std::lock_guard<std::mutex> lk(mu_);
    return runs_;
  }

 private:
  struct Request {
    std::vector<Item> items;
    std::promise<std::vector<Result>> done;
    std::chrono::steady_clock::time_point arrived;
  };

  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    while (true) {
      cv_.wait(lk, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      const auto deadline = queue_.front()->arrived + max_wait_;
      while (!stop_ && queued_items_ < max_items_) {
        if (cv_.wait_until(lk, deadline) == std::cv_status::timeout) break;
      }
      std::vector<Request*> taken;
      size_t n = 0;
      while (!queue_.empty() && (taken.empty() || n + queue_.front()->items.size() <= max_items_)) {
        taken.push_back(queue_.front());
        n += queue_.front()->items.size();
        queue_.pop_front();
      }
      queued_items_ -= n;
      ++runs_;
      lk.unlock();
      run(taken, n);
      lk.lock();
    }
  }

  void run(const std::vector<Request*>& taken, size_t n) {
    try {
      std::vector<Item> items;
      items.reserve(n);
      for (Request* r : taken)
        for (auto& it : r->items) items.push_back(std::move(it));
      std::vector<Result> results = process_(items);
      if (results.size() != n) throw std::logic_error("dynamic batcher: process returned the wrong number of results");
      size_t at = 0;
      for (Request* r : taken) {
        std::vector<Result> mine(std::make_move_iterator(results.begin() + at),
                                 std::make_move_iterator(results.begin() + at + r->items.size()));
        at += r->items.size();
        r->done.set_value(std::move(mine));
      }
    } catch (...) {
      for (Request* r : taken) r->done.set_exception(std::current_exception());
    }
  }

  Process process_;
  const size_t max_items_;
  const std::chrono::microseconds max_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request*> queue_;
  size_t queued_items_ = 0;
  size_t runs_ = 0;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace ragrt::models
