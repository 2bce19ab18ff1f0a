#include "models/dynamic_batcher.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

using ragrt::models::DynamicBatcher;

TEST(DynamicBatcher, MergesWaitingRequestsAndReturnsEachCallerItsOwnResults) {
  constexpr int kCallers = 8;
  std::atomic<bool> release{false};
  std::atomic<int> calls{0};
  std::vector<size_t> sizes;
  DynamicBatcher<int, int> batcher(
      [&](std::vector<int>& items) {
        // The first gathering holds the worker until every other caller has queued, so the second
        // gathering deterministically sees all of them.
        if (calls++ == 0) {
          while (!release) std::this_thread::yield();
        }
        sizes.push_back(items.size());
        std::vector<int> out;
        for (int x : items) out.push_back(x * 10);
        return out;
      },
      /*max_items=*/1000, std::chrono::microseconds(0));

  std::vector<std::vector<int>> results(kCallers);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = batcher.submit({0}); });
  while (calls == 0) std::this_thread::yield();
  for (int c = 1; c < kCallers; ++c) {
    threads.emplace_back([&, c] { results[c] = batcher.submit({c * 100, c * 100 + 1, c * 100 + 2}); });
  }
  while (batcher.pending_items() < 3 * (kCallers - 1)) std::this_thread::yield();
  release = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(batcher.runs(), 2u);
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 3 * (kCallers - 1)}));
  EXPECT_EQ(results[0], std::vector<int>{0});
  for (int c = 1; c < kCallers; ++c) {
    EXPECT_EQ(results[c], (std::vector<int>{c * 1000, c * 1000 + 10, c * 1000 + 20}));
  }
}

TEST(DynamicBatcher, RespectsTheItemLimitButNeverSplitsARequest) {
  std::vector<size_t> sizes;
  std::atomic<bool> release{false};
  std::atomic<int> calls{0};
  DynamicBatcher<int, int> batcher(
      [&](std::vector<int>& items) {
        if (calls++ == 0) {
          while (!release) std::this_thread::yield();
        }
        sizes.push_back(items.size());
        return items;
      },
      /*max_items=*/4, std::chrono::microseconds(0));
  std::vector<std::thread> threads;
  threads.emplace_back([&] { batcher.submit({1}); });
  while (calls == 0) std::this_thread::yield();
  // Queued in this order: 3 items, 3 items, 6 items (larger than the limit), 1 item.
  threads.emplace_back([&] { EXPECT_EQ(batcher.submit({1, 2, 3}).size(), 3u); });
  while (batcher.pending_items() < 3) std::this_thread::yield();
  threads.emplace_back([&] { EXPECT_EQ(batcher.submit({4, 5, 6}).size(), 3u); });
  while (batcher.pending_items() < 6) std::this_thread::yield();
  threads.emplace_back([&] { EXPECT_EQ(batcher.submit({1, 2, 3, 4, 5, 6}), (std::vector<int>{1, 2, 3, 4, 5, 6})); });
  while (batcher.pending_items() < 12) std::this_thread::yield();
  threads.emplace_back([&] { EXPECT_EQ(batcher.submit({9}), std::vector<int>{9}); });
  while (batcher.pending_items() < 13) std::this_thread::yield();
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 3, 3, 6, 1}));
}

TEST(DynamicBatcher, PropagatesErrorsToEveryCallerOfTheGathering) {
  DynamicBatcher<int, int> batcher([](std::vector<int>&) -> std::vector<int> { throw std::runtime_error("boom"); },
                                   8, std::chrono::microseconds(100));
  EXPECT_THROW(batcher.submit({1, 2}), std::runtime_error);
  EXPECT_TRUE(batcher.submit({}).empty());
}
