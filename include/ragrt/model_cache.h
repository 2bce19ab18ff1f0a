#pragma once
// Loaded models shared between component graphs. A config reload builds a new graph next to the
// one serving; every model section (embedder, reranker, generator) whose settings did not change
// gets the model the old graph already loaded instead of a second copy, so a reload that only
// edits a pipeline or a tool costs no model load and no extra memory.
//
//   ModelCache cache;
//   auto build = cache.start_build();
//   auto embedder = build.entry<Embedder>(key);   // shared with the previous build when key matches
//   embedder->get([&] { return OnnxEmbedder::load(...); });   // loads once, on first use
//   build.commit();   // the cache now keeps only what this build asked for
//
// Keys are section fingerprints (see section_fingerprint). Graphs hold their entries by
// shared_ptr, so a graph still running requests keeps its models alive after the cache forgot them.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <typeindex>
#include <utility>

namespace ragrt {

struct RagConfig;

// A model loaded on first use, exactly once even when many threads ask at the same moment. A
// load that throws is retried by the next get().
template <class T>
class Lazy {
 public:
  // `load` may return a unique_ptr or a shared_ptr (what a Registry factory gives).
  T& get(const std::function<std::shared_ptr<T>()>& load) {
    std::call_once(once_, [&] { value_ = load(); });
    return *value_;
  }
  bool loaded() const { return value_ != nullptr; }

 private:
  std::once_flag once_;
  std::shared_ptr<T> value_;
};

class ModelCache {
 public:
  class Build {
   public:
    // The entry for `key` of type T: the cached one, or a new empty one. An empty key means
    // "not shareable" (a config built in code): always a new entry, never cached.
    template <class T>
    std::shared_ptr<Lazy<T>> entry(const std::string& key) {
      if (!cache_ || key.empty()) return std::make_shared<Lazy<T>>();
      const Key k{std::type_index(typeid(T)), key};
      used_.insert(k);
      std::lock_guard lock(cache_->mutex_);
      auto& slot = cache_->entries_[k];
      if (!slot) slot = std::make_shared<Lazy<T>>();
      return std::static_pointer_cast<Lazy<T>>(slot);
    }
    // The build succeeded: forget entries it did not use. Without commit (a build that failed)
    // the cache keeps what the running graph uses.
    void commit() {
      if (!cache_) return;
      std::lock_guard lock(cache_->mutex_);
      std::erase_if(cache_->entries_, [&](const auto& kv) { return !used_.count(kv.first); });
    }

   private:
    friend class ModelCache;
    explicit Build(ModelCache* cache) : cache_(cache) {}
    ModelCache* cache_;
    std::set<std::pair<std::type_index, std::string>> used_;
  };

  // One build at a time per cache (the reload thread); entry() itself is thread-safe.
  Build start_build() { return Build(this); }
  // A build that shares nothing (ragrt ask, tests).
  static Build no_cache() { return Build(nullptr); }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  using Key = std::pair<std::type_index, std::string>;
  mutable std::mutex mutex_;
  std::map<Key, std::shared_ptr<void>> entries_;
};

// What identifies a model section of `config` for sharing: the config's folder (relative paths
// resolve against it) and the section's YAML as written, less `ignored` keys (settings read per
// request, such as the generator's sampling and system_prompt, which must not cost a model
// reload). "" when the config was not read from a file or has no such section. ${ENV} references
// count as written: a changed environment variable is picked up by a restart, not by a reload.
std::string section_fingerprint(const RagConfig& config, const std::string& section,
                                const std::set<std::string>& ignored = {});

}  // namespace ragrt
