// KvCache::gather (left padding, trimming shared padding, sharing unchanged tensors) and the
// PrefixCache's choice, superseding and eviction, on small hand-filled tensors.
#include "generate/kv_cache.h"

#include <gtest/gtest.h>

#include "generate/prefix_cache.h"

namespace ragrt::generate {
namespace {

constexpr int64_t kHeads = 2, kDim = 3;

// One layer (key and value) of `rows` rows and `length` positions; element (row, head, pos, d) is
// base + 1000 * row + 100 * head + 10 * pos + d.
KvCache make(size_t rows, size_t length, std::vector<size_t> pads, float base = 1) {
  Ort::AllocatorWithDefaultOptions allocator;
  std::vector<Ort::Value> tensors;
  for (int kind = 0; kind < 2; ++kind) {
    std::vector<int64_t> dims{int64_t(rows), kHeads, int64_t(length), kDim};
    auto t = Ort::Value::CreateTensor<float>(allocator, dims.data(), dims.size());
    float* p = t.GetTensorMutableData<float>();
    for (size_t r = 0; r < rows; ++r)
      for (int64_t h = 0; h < kHeads; ++h)
        for (size_t s = 0; s < length; ++s)
          for (int64_t d = 0; d < kDim; ++d)
            *p++ = base + kind * 0.5f + 1000.f * r + 100.f * h + 10.f * s + d;
    tensors.push_back(std::move(t));
  }
  return KvCache(std::move(tensors), std::move(pads));
}

float at(const KvCache& kv, size_t tensor, size_t row, size_t head, size_t pos, size_t d) {
  const float* p = kv.tensors()[tensor]->GetTensorData<float>();
  return p[((row * kHeads + head) * kv.length() + pos) * kDim + d];
}

TEST(KvCacheTest, GatherLeftPadsShorterRowsWithZeros) {
  KvCache a = make(1, 2, {0}, 1), b = make(1, 4, {0}, 5000);
  std::vector<KvCache::RowRef> rows{{&a, 0}, {&b, 0}};
  KvCache g = KvCache::gather(rows);
  ASSERT_EQ(g.rows(), 2u);
  EXPECT_EQ(g.length(), 4u);
  EXPECT_EQ(g.pad(0), 2u);
  EXPECT_EQ(g.pad(1), 0u);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_EQ(at(g, t, 0, 1, 0, 2), 0.f);  // padding
    EXPECT_EQ(at(g, t, 0, 1, 1, 0), 0.f);
    EXPECT_EQ(at(g, t, 0, 1, 2, 2), at(a, t, 0, 1, 0, 2));  // a's first token lands after the padding
    EXPECT_EQ(at(g, t, 0, 0, 3, 1), at(a, t, 0, 0, 1, 1));
    EXPECT_EQ(at(g, t, 1, 1, 3, 2), at(b, t, 0, 1, 3, 2));
  }
}

TEST(KvCacheTest, DroppingTheLongestRowTrimsPaddingEveryRowShares) {
  KvCache batch = make(3, 5, {3, 0, 2});  // row 1 is the longest
  std::vector<KvCache::RowRef> rows{{&batch, 0}, {&batch, 2}};
  KvCache g = KvCache::gather(rows);
  EXPECT_EQ(g.length(), 3u);  // row 2 keeps 3 tokens, row 0 keeps 2
  EXPECT_EQ(g.pad(0), 1u);
  EXPECT_EQ(g.pad(1), 0u);
  EXPECT_EQ(at(g, 0, 0, 0, 1, 0), at(batch, 0, 0, 0, 3, 0));
  EXPECT_EQ(at(g, 1, 1, 1, 0, 2), at(batch, 1, 2, 1, 2, 2));
}

TEST(KvCacheTest, GatheringAWholeCacheSharesItsTensors) {
  KvCache batch = make(2, 3, {0, 1});
  std::vector<KvCache::RowRef> rows{{&batch, 0}, {&batch, 1}};
  KvCache g = KvCache::gather(rows);
  EXPECT_EQ(g.tensors()[0], batch.tensors()[0]);  // no copy
}

TEST(KvCacheTest, PrefixOfARowKeepsItsFirstTokens) {
  KvCache one = make(1, 6, {0});
  std::vector<KvCache::RowRef> rows{{&one, 0, 4}};
  KvCache g = KvCache::gather(rows);
  EXPECT_EQ(g.length(), 4u);
  EXPECT_EQ(at(g, 0, 0, 1, 3, 2), at(one, 0, 0, 1, 3, 2));
  EXPECT_EQ(g.bytes(), one.bytes() * 4 / 6);
}

TEST(PrefixCacheTest, ReusesTheLongestCommonPrefixButLeavesOneTokenToRun) {
  PrefixCache cache(size_t{1} << 20, 2);
  cache.insert(std::vector<int32_t>{1, 2, 3, 4, 5}, make(1, 5, {0}));
  cache.insert(std::vector<int32_t>{1, 2, 9, 9}, make(1, 4, {0}));
  auto hit = cache.lookup(std::vector<int32_t>{1, 2, 3, 4, 7, 8});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->tokens, 4u);
  EXPECT_EQ(hit->kv.length(), 4u);
  auto same = cache.lookup(std::vector<int32_t>{1, 2, 3, 4, 5});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->tokens, 4u);  // the last prompt token must run to give logits
  EXPECT_FALSE(cache.lookup(std::vector<int32_t>{1, 5, 5}));  // 1 shared token < min_tokens
  EXPECT_FALSE(cache.lookup(std::vector<int32_t>{7, 7, 7}));
}

TEST(PrefixCacheTest, ALongerPromptSupersedesItsPrefixAndOldEntriesAreEvicted) {
  const size_t entry = make(1, 4, {0}).bytes();
  PrefixCache cache(entry * 2, 2);
  cache.insert(std::vector<int32_t>{1, 2, 3}, make(1, 3, {0}));
  cache.insert(std::vector<int32_t>{1, 2, 3, 4}, make(1, 4, {0}));
  EXPECT_EQ(cache.entries(), 1u);  // {1,2,3} is a prefix of the new one
  cache.insert(std::vector<int32_t>{5, 6, 7, 8}, make(1, 4, {0}));
  cache.lookup(std::vector<int32_t>{1, 2, 3, 4, 9});  // {1,2,3,4} is now the most recently used
  cache.insert(std::vector<int32_t>{9, 9, 9, 9}, make(1, 4, {0}));
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_LE(cache.bytes(), entry * 2);
  EXPECT_TRUE(cache.lookup(std::vector<int32_t>{1, 2, 3, 4, 9}));
  EXPECT_FALSE(cache.lookup(std::vector<int32_t>{5, 6, 7, 8, 9}));  // least recently used: evicted
}

}  // namespace
}  // namespace ragrt::generate
