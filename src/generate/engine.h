#pragma once
// The scheduler of local generation (continuous batching): one thread runs every active
// sequence together, one token per step. New requests join at step boundaries (their prompt runs
// alone first, reusing a cached prefix where one matches, and their key/values are merged into
// the batch with left padding); finished, stopped and cancelled ones leave at once. Each sequence
// keeps its own sampling settings, random generator and stop strings, so its output is the one it
// would get alone.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "generate/kv_cache.h"
#include "generate/prefix_cache.h"
#include "generate/prompt_lookup.h"
#include "generate/sampler.h"
#include "models/decoder_model.h"
#include "ragrt/generator.h"
#include "ragrt/tokenizer.h"

namespace ragrt::generate {

struct EngineParams {
  size_t max_batch = 8;  // sequences decoded together; more wait in the queue
  // false: no KV cache at all, every step recomputes the whole sequence, one request at a time.
  // For the test that proves the cache changes nothing, and for the benchmark.
  bool use_kv_cache = true;
  size_t prefix_cache_bytes = size_t{256} << 20;  // 0 disables the prefix cache
  size_t prefix_cache_min_tokens = 16;
  // Speculative decoding by prompt lookup (generate/prompt_lookup.h) while one sequence runs
  // alone: up to this many drafted tokens are checked per step. Output is unchanged (the model
  // verifies every drafted token, and a sampled one is drawn exactly as without drafts); 0 turns
  // it off. Batches of several sequences decode one token per step.
  size_t speculative_tokens = 4;
};

struct EngineRequest {
  std::vector<int32_t> prompt;
  ResolvedSampling sampling;
  std::function<void(std::string_view)> on_text;
  std::shared_ptr<const std::atomic<bool>> cancel;
};

struct EngineResult {
  GenerationResult result;
  std::vector<int32_t> tokens;  // generated ids, end-of-sequence excluded
};

struct EngineStats {
  uint64_t steps = 0;            // decode steps run
  uint64_t batched_rows = 0;     // sum of batch sizes over the steps
  std::vector<uint64_t> steps_by_batch_size;  // [n]: steps that decoded n sequences together
  uint64_t prefill_tokens = 0;   // prompt tokens computed
  uint64_t reused_tokens = 0;    // prompt tokens taken from the prefix cache
  uint64_t generated_tokens = 0;
  uint64_t drafted_tokens = 0;   // prompt-lookup tokens checked
  uint64_t accepted_tokens = 0;  // of those, the ones the model agreed with
  size_t queued = 0;
  size_t active = 0;
};

class Engine {
 public:
  Engine(std::shared_ptr<const models::DecoderModel> model, std::shared_ptr<const Tokenizer> tokenizer,
         EngineParams params);
  ~Engine();  // requests still queued or running end with kCancelled
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::future<EngineResult> submit(EngineRequest request);
  EngineResult run(EngineRequest request) { return submit(std::move(request)).get(); }
  EngineStats stats() const;
  const EngineParams& params() const { return params_; }

 private:
  struct Sequence;
  void loop();
  // Drops finished rows (keeping their key/values in the prefix cache) and appends `joining`'s
  // live sequences, copying the batch's key/values only when its rows changed.
  void rebuild_batch(std::vector<std::unique_ptr<Sequence>>& joining);
  void prefill(Sequence& seq);
  void decode_step();
  // One sequence alone: feeds its next token plus a prompt-lookup draft and keeps the drafted
  // tokens the model confirms. Falls back to decode_step() when there is no draft.
  void speculative_step();
  void step_without_cache(Sequence& seq);
  // The next token of `seq` from the logits at `at`: its sampler's draw, or the greedy choice.
  int32_t choose(Sequence& seq, models::DecoderOutput& out, models::OutputPosition at);
  void accept(Sequence& seq, int32_t token);
  void count_step(size_t batch);  // under mutex_
  void finish(Sequence& seq, FinishReason reason);
  void fail_all(std::exception_ptr error);

  std::shared_ptr<const models::DecoderModel> model_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  EngineParams params_;
  PrefixCache prefix_cache_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Sequence>> queue_;
  bool stopping_ = false;
  EngineStats stats_;

  // The worker's own state.
  std::vector<std::unique_ptr<Sequence>> active_;
  KvCache batch_kv_;
  bool speculation_ok_ = true;  // false once the model turns out to return only the last logits
  std::thread worker_;
};

}  // namespace ragrt::generate
