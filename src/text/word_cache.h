#pragma once
// Bounded word -> segmentation cache shared by the BPE and Unigram models. Like Hugging Face's
// `Cache` it stops inserting once full (no eviction: the frequent words of a corpus arrive early)
// and a writer never waits for readers. Sharding keeps concurrent tokenize() calls from
// serializing on one lock.
#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ragrt::text {

template <typename Value>
class WordCache {
 public:
  // Hugging Face's MAX_LENGTH: longer words are rare and not worth keeping.
  static constexpr size_t kMaxWordBytes = 256;

  explicit WordCache(size_t capacity) : per_shard_capacity_((capacity + kShards - 1) / kShards) {}

  static size_t hash_of(std::string_view word) { return std::hash<std::string_view>{}(word); }

  // Calls `use(const Value&)` under the shard's read lock when `word` is cached; false on a miss.
  // `hash` must be hash_of(word).
  template <typename Use>
  bool visit(std::string_view word, size_t hash, Use&& use) const {
    const Shard& shard = shards_[shard_of(hash)];
    std::shared_lock lock(shard.mutex);
    auto it = shard.map.find(Probe{word, hash});
    if (it == shard.map.end()) return false;
    use(it->second);
    return true;
  }

  void put(std::string_view word, size_t hash, Value value) {
    if (word.size() >= kMaxWordBytes) return;
    Shard& shard = shards_[shard_of(hash)];
    // A contended shard skips caching rather than waiting (Hugging Face uses try_write too).
    std::unique_lock lock(shard.mutex, std::try_to_lock);
    if (!lock.owns_lock() || shard.map.size() >= per_shard_capacity_) return;
    shard.map.try_emplace(Key{std::string(word), hash}, std::move(value));
  }

 private:
  static constexpr size_t kShards = 16;
  // The hash travels with the key so a lookup hashes the word once.
  struct Key {
    std::string word;
    size_t hash;
  };
  struct Probe {
    std::string_view word;
    size_t hash;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(const Key& k) const { return k.hash; }
    size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a.word == b.word; }
    bool operator()(const Probe& a, const Key& b) const { return a.word == b.word; }
    bool operator()(const Key& a, const Probe& b) const { return a.word == b.word; }
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<Key, Value, Hash, Equal> map;
  };
  // The low bits pick the bucket inside a shard; take the shard from the high ones.
  static size_t shard_of(size_t hash) { return (hash >> 56) % kShards; }

  size_t per_shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ragrt::text
