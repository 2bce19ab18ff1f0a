#include "generate/engine.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "generate/text_streamer.h"
#include "ragrt/error.h"

namespace ragrt::generate {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// The distinct tokens of `history` when the repetition penalty is on (what it applies to).
std::vector<int32_t> penalized_tokens(const ResolvedSampling& sampling, std::span<const int32_t> history) {
  if (sampling.repetition_penalty == 1.0f) return {};
  std::vector<int32_t> ids(history.begin(), history.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

struct Engine::Sequence {
  Sequence(EngineRequest r, const Tokenizer& tokenizer)
      : request(std::move(r)),
        sampler(request.sampling),
        streamer(tokenizer, request.sampling.stop),
        history(request.prompt) {}

  EngineRequest request;
  std::promise<EngineResult> promise;
  Sampler sampler;
  TextStreamer streamer;
  std::vector<int32_t> history;  // prompt, then every generated token
  std::vector<int32_t> generated;
  int32_t next_token = -1;  // sampled, to be fed at the next step
  KvCache kv;               // after its prefill, until it joins the batch
  Clock::time_point submitted = Clock::now();
  double ttft_ms = -1;
  size_t reused_tokens = 0;
  bool done = false;
};

Engine::Engine(std::shared_ptr<const models::DecoderModel> model, std::shared_ptr<const Tokenizer> tokenizer,
               EngineParams params)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      params_(params),
      prefix_cache_(params.use_kv_cache ? params.prefix_cache_bytes : 0, std::max<size_t>(1, params.prefix_cache_min_tokens)) {
  RAGRT_THROW_IF_NOT_KIND(params_.max_batch > 0, ErrorKind::kInvalidArgument, "generator: max_batch must be >= 1");
  if (!model_->feeds_position_ids() && params_.max_batch > 1) {
    // Without position_ids the graph numbers positions from the past length, which left padding
    // would shift: such models run one sequence at a time.
    spdlog::warn("{}: the model has no position_ids input, so sequences cannot be batched; max_batch 1",
                 model_->session().path().string());
    params_.max_batch = 1;
  }
  worker_ = std::thread([this] { loop(); });
}

Engine::~Engine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::future<EngineResult> Engine::submit(EngineRequest request) {
  RAGRT_THROW_IF_NOT_KIND(!request.prompt.empty(), ErrorKind::kInvalidArgument, "generator: the prompt is empty");
  const size_t limit = model_->shape().max_positions;
  RAGRT_THROW_IF_NOT_KIND(limit == 0 || request.prompt.size() < limit, ErrorKind::kInvalidArgument,
                          "generator: the prompt has {} tokens but the model takes at most {} "
                          "(max_position_embeddings); shorten the conversation or the retrieved context",
                          request.prompt.size(), limit);
  auto seq = std::make_unique<Sequence>(std::move(request), *tokenizer_);
  auto future = seq->promise.get_future();
  {
    std::lock_guard lock(mutex_);
    RAGRT_THROW_IF_NOT(!stopping_, "generator: the engine is shutting down");
    queue_.push_back(std::move(seq));
    stats_.queued = queue_.size();
  }
  wake_.notify_one();
  return future;
}

EngineStats Engine::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Engine::count_step(size_t batch) {
  stats_.steps += 1;
  stats_.batched_rows += batch;
  if (stats_.steps_by_batch_size.size() <= batch) stats_.steps_by_batch_size.resize(batch + 1);
  stats_.steps_by_batch_size[batch] += 1;
}

void Engine::loop() {
  for (;;) {
    std::vector<std::unique_ptr<Sequence>> joining;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !active_.empty(); });
      if (stopping_) break;
      while (active_.size() + joining.size() < params_.max_batch && !queue_.empty()) {
        joining.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.queued = queue_.size();
    }
    try {
      for (auto& seq : active_) {
        if (seq->request.cancel && seq->request.cancel->load()) finish(*seq, FinishReason::kCancelled);
      }
      for (auto& seq : joining) {
        try {
          prefill(*seq);
        } catch (...) {
          if (!seq->done) seq->promise.set_exception(std::current_exception());
          seq->done = true;
        }
      }
      rebuild_batch(joining);

      if (!active_.empty()) {
        if (params_.use_kv_cache && params_.speculative_tokens > 0 && speculation_ok_ && active_.size() == 1) {
          speculative_step();
        } else if (params_.use_kv_cache) {
          decode_step();
        } else {
          step_without_cache(*active_.front());
        }
      }
      rebuild_batch(joining);  // joining is empty now: this drops the rows the step finished
    } catch (...) {
      auto error = std::current_exception();
      for (auto& seq : joining) {
        if (!seq->done) seq->promise.set_exception(error), seq->done = true;
      }
      fail_all(error);
    }
    std::lock_guard lock(mutex_);
    stats_.active = active_.size();
  }
  // Shutting down: whatever remains ends as cancelled.
  for (auto& seq : active_) finish(*seq, FinishReason::kCancelled);
  std::lock_guard lock(mutex_);
  for (auto& seq : queue_) finish(*seq, FinishReason::kCancelled);
  queue_.clear();
}

void Engine::rebuild_batch(std::vector<std::unique_ptr<Sequence>>& joining) {
  bool changed = !joining.empty();
  for (const auto& seq : active_) changed = changed || seq->done;
  if (!changed) return;
  if (params_.use_kv_cache) {
    // The batch: running rows, then the newcomers, all left-padded to one length.
    std::vector<KvCache::RowRef> rows;
    for (size_t i = 0; i < active_.size(); ++i) {
      if (!active_[i]->done) {
        rows.push_back({&batch_kv_, i});
      } else if (prefix_cache_.enabled()) {
        // The conversation so far (prompt and answer), for its next turn to start from.
        KvCache::RowRef row{&batch_kv_, i};
        prefix_cache_.insert(std::span(active_[i]->history.data(), batch_kv_.tokens(i)),
                             KvCache::gather(std::span(&row, 1)));
      }
    }
    for (const auto& seq : joining) {
      if (!seq->done) rows.push_back({&seq->kv, 0});
    }
    batch_kv_ = rows.empty() ? KvCache() : KvCache::gather(rows);
  }
  std::erase_if(active_, [](const auto& s) { return s->done; });
  for (auto& seq : joining) {
    seq->kv = KvCache();
    if (!seq->done) active_.push_back(std::move(seq));
  }
  joining.clear();
}

void Engine::prefill(Sequence& seq) {
  if (!params_.use_kv_cache) {
    step_without_cache(seq);
    return;
  }
  const auto& prompt = seq.request.prompt;
  std::optional<PrefixCache::Hit> hit = prefix_cache_.lookup(prompt);
  KvCache past = hit ? std::move(hit->kv) : KvCache(model_->empty_past(1), {0});
  const size_t reused = hit ? hit->tokens : 0, n = prompt.size() - reused;
  std::vector<int64_t> ids(prompt.begin() + static_cast<std::ptrdiff_t>(reused), prompt.end());
  std::vector<int64_t> mask(prompt.size(), 1), positions(n);
  for (size_t i = 0; i < n; ++i) positions[i] = static_cast<int64_t>(reused + i);
  auto past_tensors = past.tensors();
  auto out = model_->run({1, n, reused, ids, mask, positions, past_tensors});
  seq.kv = KvCache(std::move(out.present), {0});
  prefix_cache_.insert(prompt, seq.kv);
  seq.reused_tokens = reused;
  {
    std::lock_guard lock(mutex_);
    stats_.prefill_tokens += n;
    stats_.reused_tokens += reused;
  }
  accept(seq, choose(seq, out, {0, out.rows - 1}));
}

int32_t Engine::choose(Sequence& seq, models::DecoderOutput& out, models::OutputPosition at) {
  const ResolvedSampling& sampling = seq.request.sampling;
  if (sampling.needs_logits()) return seq.sampler.next(out.logits_at(at.b, at.pos), seq.history, seq.generated);
  const std::vector<int32_t> penalized = penalized_tokens(sampling, seq.history);
  const models::GreedyQuery query{at, penalized, sampling.repetition_penalty};
  return out.argmax(std::span(&query, 1))[0];
}

void Engine::decode_step() {
  const size_t batch = active_.size(), length = batch_kv_.length();
  std::vector<int64_t> ids(batch), positions(batch), mask(batch * (length + 1), 1);
  for (size_t b = 0; b < batch; ++b) {
    ids[b] = active_[b]->next_token;
    const size_t pad = batch_kv_.pad(b);
    std::fill_n(mask.begin() + static_cast<std::ptrdiff_t>(b * (length + 1)), pad, 0);
    positions[b] = static_cast<int64_t>(length - pad);
  }
  auto past = batch_kv_.tensors();
  auto out = model_->run({batch, 1, length, ids, mask, positions, past});
  batch_kv_.advance(std::move(out.present));
  {
    std::lock_guard lock(mutex_);
    count_step(batch);
  }
  // Greedy rows are chosen together, sampled rows' logits computed together: one pass each over
  // the projection's weights when ragrt runs it.
  std::vector<std::vector<int32_t>> penalized(batch);
  std::vector<models::GreedyQuery> greedy;
  std::vector<models::OutputPosition> sampled;
  for (size_t b = 0; b < batch; ++b) {
    const ResolvedSampling& sampling = active_[b]->request.sampling;
    const models::OutputPosition at{b, out.rows - 1};
    if (sampling.needs_logits()) {
      sampled.push_back(at);
    } else {
      penalized[b] = penalized_tokens(sampling, active_[b]->history);
      greedy.push_back({at, penalized[b], sampling.repetition_penalty});
    }
  }
  out.prepare_logits(sampled);
  const std::vector<int32_t> chosen = out.argmax(greedy);
  size_t next_greedy = 0;
  for (size_t b = 0; b < batch; ++b) {
    Sequence& seq = *active_[b];
    accept(seq, seq.request.sampling.needs_logits()
                    ? seq.sampler.next(out.logits_at(b, out.rows - 1), seq.history, seq.generated)
                    : chosen[next_greedy++]);
  }
}

void Engine::speculative_step() {
  Sequence& seq = *active_.front();
  const size_t limit = model_->shape().max_positions;
  // Room for the drafted tokens plus the one sampled after them.
  size_t room = seq.request.sampling.max_new_tokens - seq.generated.size();
  if (limit) room = std::min(room, limit > seq.history.size() ? limit - seq.history.size() : 0);
  PromptLookupParams lookup;
  lookup.max_tokens = std::min(params_.speculative_tokens, room > 0 ? room - 1 : 0);
  const std::vector<int32_t> draft = prompt_lookup_draft(seq.history, lookup);
  if (draft.empty()) {
    decode_step();
    return;
  }
  const size_t length = batch_kv_.length(), pad = batch_kv_.pad(0), fed_before = batch_kv_.tokens(0);
  const size_t n = 1 + draft.size();
  std::vector<int64_t> ids{seq.next_token}, positions(n), mask(length + n, 1);
  ids.insert(ids.end(), draft.begin(), draft.end());
  std::fill_n(mask.begin(), pad, 0);
  for (size_t i = 0; i < n; ++i) positions[i] = static_cast<int64_t>(fed_before + i);
  auto past = batch_kv_.tensors();
  auto out = model_->run({1, n, length, ids, mask, positions, past});
  if (out.rows != n) {
    spdlog::warn("{}: the model returns logits for the last position only, so drafts cannot be checked; "
                 "speculative decoding is off", model_->session().path().string());
    speculation_ok_ = false;
    decode_step();  // batch_kv_ is untouched: the step runs again without the draft
    return;
  }
  batch_kv_.advance(std::move(out.present));

  // Position j's logits follow draft[j - 1]; they are the ones decoding without a draft would have
  // seen as long as every earlier drafted token was the one sampled. Greedy choices for every
  // position (the history at j being the drafted one) or the logits of every position are
  // computed in one go; sampling itself stays in order, so it draws what it would without drafts.
  const bool sampling = seq.request.sampling.needs_logits();
  std::vector<int32_t> chosen;
  std::vector<models::OutputPosition> at;
  for (size_t j = 0; j < n; ++j) at.push_back({0, j});
  if (sampling) {
    out.prepare_logits(at);
  } else {
    std::vector<std::vector<int32_t>> penalized(n);
    std::vector<models::GreedyQuery> queries;
    std::vector<int32_t> history = seq.history;
    for (size_t j = 0; j < n; ++j) {
      if (j > 0) history.push_back(draft[j - 1]);
      penalized[j] = penalized_tokens(seq.request.sampling, history);
      queries.push_back({at[j], penalized[j], seq.request.sampling.repetition_penalty});
    }
    chosen = out.argmax(queries);
  }
  size_t matched = 0;
  for (size_t j = 0; j <= draft.size(); ++j) {
    const int32_t token = sampling ? seq.sampler.next(out.logits_at(0, j), seq.history, seq.generated) : chosen[j];
    const size_t before = seq.history.size();
    accept(seq, token);
    const bool drafted = j < draft.size() && token == draft[j];
    if (drafted && seq.history.size() > before) ++matched;
    if (seq.done || !drafted) break;
  }
  // Key/values of drafted tokens after the first miss were computed on a wrong history.
  if (matched < draft.size()) {
    const KvCache::RowRef row{&batch_kv_, 0, fed_before + 1 + matched};
    batch_kv_ = KvCache::gather(std::span(&row, 1));
  }
  std::lock_guard lock(mutex_);
  count_step(1);
  stats_.drafted_tokens += draft.size();
  stats_.accepted_tokens += matched;
}

void Engine::step_without_cache(Sequence& seq) {
  const size_t n = seq.history.size();
  std::vector<int64_t> ids(seq.history.begin(), seq.history.end()), mask(n, 1), positions(n);
  for (size_t i = 0; i < n; ++i) positions[i] = static_cast<int64_t>(i);
  auto empty = model_->empty_past(1);
  std::vector<const Ort::Value*> past;
  for (const auto& t : empty) past.push_back(&t);
  auto out = model_->run({1, n, 0, ids, mask, positions, past});
  {
    std::lock_guard lock(mutex_);
    count_step(1);
    stats_.prefill_tokens += n;
  }
  accept(seq, choose(seq, out, {0, out.rows - 1}));
}

void Engine::accept(Sequence& seq, int32_t token) {
  if (seq.ttft_ms < 0) seq.ttft_ms = ms_since(seq.submitted);
  const auto& eos = model_->eos_ids();
  if (std::find(eos.begin(), eos.end(), token) != eos.end()) {
    finish(seq, FinishReason::kStop);
    return;
  }
  seq.generated.push_back(token);
  seq.history.push_back(token);
  {
    std::lock_guard lock(mutex_);
    stats_.generated_tokens += 1;
  }
  std::string piece = seq.streamer.push(token);
  if (!piece.empty() && seq.request.on_text) {
    try {
      seq.request.on_text(piece);
    } catch (...) {
      seq.promise.set_exception(std::current_exception());
      seq.done = true;
      return;
    }
  }
  const size_t limit = model_->shape().max_positions;
  if (seq.streamer.stopped()) {
    finish(seq, FinishReason::kStop);
  } else if (seq.generated.size() >= seq.request.sampling.max_new_tokens || (limit && seq.history.size() >= limit)) {
    finish(seq, FinishReason::kLength);
  } else if (seq.request.cancel && seq.request.cancel->load()) {
    finish(seq, FinishReason::kCancelled);
  } else {
    seq.next_token = token;
  }
}

void Engine::finish(Sequence& seq, FinishReason reason) {
  if (seq.done) return;
  seq.done = true;
  try {
    std::string piece = seq.streamer.finish();
    if (!piece.empty() && seq.request.on_text) seq.request.on_text(piece);
  } catch (...) {
    seq.promise.set_exception(std::current_exception());
    return;
  }
  EngineResult r;
  r.result.text = std::string(seq.streamer.emitted());
  r.result.finish_reason = reason;
  r.result.prompt_tokens = seq.request.prompt.size();
  r.result.cached_prompt_tokens = seq.reused_tokens;
  r.result.completion_tokens = seq.generated.size();
  r.result.time_to_first_token_ms = std::max(0.0, seq.ttft_ms);
  r.result.total_ms = ms_since(seq.submitted);
  r.tokens = std::move(seq.generated);
  seq.promise.set_value(std::move(r));
}

void Engine::fail_all(std::exception_ptr error) {
  for (auto& seq : active_) {
    if (!seq->done) seq->promise.set_exception(error);
    seq->done = true;
  }
  active_.clear();
  batch_kv_ = KvCache();
}

}  // namespace ragrt::generate
