#include "generate/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "models/lm_head.h"
#include "ragrt/error.h"

namespace ragrt::generate {

ResolvedSampling resolve_sampling(const SamplingParams& request, const SamplingParams& model_defaults) {
  const SamplingParams p = request.with_defaults(model_defaults);
  ResolvedSampling r;
  r.do_sample = p.do_sample.value_or(false);
  r.temperature = p.temperature.value_or(1.0f);
  r.top_k = p.top_k.value_or(0);
  r.top_p = p.top_p.value_or(1.0f);
  r.min_p = p.min_p.value_or(0.0f);
  r.repetition_penalty = p.repetition_penalty.value_or(1.0f);
  r.frequency_penalty = p.frequency_penalty.value_or(0.0f);
  r.presence_penalty = p.presence_penalty.value_or(0.0f);
  r.logit_bias = p.logit_bias;
  r.max_new_tokens = p.max_new_tokens.value_or(256);
  r.stop = p.stop;
  // OpenAI clients send a temperature and expect sampling; temperature 0 is their way to ask for
  // greedy. A request that sets a temperature but not do_sample therefore samples.
  if (request.temperature && !request.do_sample) r.do_sample = *request.temperature > 0;
  if (r.temperature == 0) r.do_sample = false;
  if (p.seed) {
    r.seed = *p.seed;
  } else {
    std::random_device device;
    r.seed = (uint64_t{device()} << 32) ^ device();
  }
  RAGRT_THROW_IF_NOT_KIND(std::isfinite(r.temperature) && r.temperature >= 0, ErrorKind::kInvalidArgument,
                          "sampling: temperature must be >= 0 (0 = greedy), got {}", r.temperature);
  RAGRT_THROW_IF_NOT_KIND(r.top_p > 0 && r.top_p <= 1, ErrorKind::kInvalidArgument,
                          "sampling: top_p must be in (0, 1], got {}", r.top_p);
  RAGRT_THROW_IF_NOT_KIND(r.min_p >= 0 && r.min_p <= 1, ErrorKind::kInvalidArgument,
                          "sampling: min_p must be in [0, 1], got {}", r.min_p);
  RAGRT_THROW_IF_NOT_KIND(std::isfinite(r.repetition_penalty) && r.repetition_penalty > 0,
                          ErrorKind::kInvalidArgument, "sampling: repetition_penalty must be > 0, got {}",
                          r.repetition_penalty);
  for (const auto& [name, value] : {std::pair{"frequency_penalty", r.frequency_penalty}, std::pair{"presence_penalty", r.presence_penalty}}) {
    RAGRT_THROW_IF_NOT_KIND(std::isfinite(value) && value >= -2 && value <= 2, ErrorKind::kInvalidArgument,
                            "sampling: {} must be in [-2, 2], got {}", name, value);
  }
  for (const auto& [id, bias] : r.logit_bias) {
    RAGRT_THROW_IF_NOT_KIND(id >= 0 && std::isfinite(bias) && bias >= -100 && bias <= 100, ErrorKind::kInvalidArgument,
                            "sampling: logit_bias maps token ids (>= 0) to a bias in [-100, 100], got {} -> {}", id, bias);
  }
  RAGRT_THROW_IF_NOT_KIND(r.max_new_tokens > 0, ErrorKind::kInvalidArgument,
                          "sampling: max_new_tokens must be at least 1");
  for (const auto& s : r.stop) {
    RAGRT_THROW_IF_NOT_KIND(!s.empty(), ErrorKind::kInvalidArgument, "sampling: a stop string is empty");
  }
  return r;
}

Sampler::Sampler(const ResolvedSampling& params) : params_(params), rng_(params.seed) {}

int32_t Sampler::next(std::span<float> logits, std::span<const int32_t> history, std::span<const int32_t> generated) {
  if (params_.repetition_penalty != 1.0f) {
    // Each distinct token once (CTRL / Hugging Face RepetitionPenaltyLogitsProcessor).
    std::unordered_set<int32_t> seen;
    for (int32_t id : history) {
      if (id < 0 || static_cast<size_t>(id) >= logits.size() || !seen.insert(id).second) continue;
      float& l = logits[static_cast<size_t>(id)];
      l = models::penalized_logit(l, params_.repetition_penalty);
    }
  }
  if (params_.frequency_penalty != 0 || params_.presence_penalty != 0) {
    std::unordered_map<int32_t, int> counts;
    for (int32_t id : generated)
      if (id >= 0 && static_cast<size_t>(id) < logits.size()) ++counts[id];
    for (const auto& [id, n] : counts)
      logits[static_cast<size_t>(id)] -= static_cast<float>(n) * params_.frequency_penalty + params_.presence_penalty;
  }
  for (const auto& [id, bias] : params_.logit_bias)
    if (static_cast<size_t>(id) < logits.size()) logits[static_cast<size_t>(id)] += bias;
  if (!params_.do_sample) return models::first_argmax(logits);
  return sample(logits);
}

int32_t Sampler::sample(std::span<const float> logits) {
  const size_t vocab = logits.size();
  const double inv_t = 1.0 / params_.temperature;
  const float max_logit = *std::max_element(logits.begin(), logits.end());
  // Unnormalized softmax weights, each computed once: over a 150k vocabulary exp() is most of the
  // cost of a sampled token. Filled for the candidates only (all tokens without top-k).
  weights_.resize(vocab);
  auto weigh = [&](int32_t id) { return weights_[id] = std::exp((static_cast<double>(logits[id]) - max_logit) * inv_t); };
  auto by_logit = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  order_.resize(vocab);
  std::iota(order_.begin(), order_.end(), 0);

  // The candidates, best first, and the softmax denominator over them: the top-k (Hugging Face
  // keeps every token tied with the k-th), else the whole vocabulary. A full sort of a 150k
  // vocabulary costs ~10 ms a token, so without top-k only as many are sorted as the top-p
  // nucleus needs, widening until it is covered.
  size_t sorted = 0;
  double total = 0;
  if (params_.top_k > 0 && params_.top_k < vocab) {
    auto k = static_cast<std::ptrdiff_t>(params_.top_k);
    std::partial_sort(order_.begin(), order_.begin() + k, order_.end(), by_logit);
    float kth = logits[order_[params_.top_k - 1]];
    auto ties_end = std::partition(order_.begin() + k, order_.end(), [&](int32_t id) { return logits[id] == kth; });
    sorted = static_cast<size_t>(ties_end - order_.begin());
    std::sort(order_.begin() + k, ties_end);  // ties in id order, as the full sort would give
    for (size_t i = 0; i < sorted; ++i) total += weigh(order_[i]);
  } else {
    for (size_t i = 0; i < vocab; ++i) total += weigh(static_cast<int32_t>(i));
    sorted = vocab;  // without top-p, order does not matter: all are candidates
    if (params_.top_p < 1.0f) {
      sorted = std::min<size_t>(vocab, 256);
      for (;;) {
        std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(sorted), order_.end(),
                          by_logit);
        if (sorted == vocab) break;
        double mass = 0;
        for (size_t i = 0; i < sorted; ++i) mass += weights_[order_[i]];
        if (mass / total >= params_.top_p) break;
        sorted = std::min(vocab, sorted * 16);
      }
    }
  }

  probs_.resize(sorted);
  for (size_t i = 0; i < sorted; ++i) probs_[i] = static_cast<float>(weights_[order_[i]] / total);
  size_t keep = sorted;
  // top-p: the smallest prefix whose mass reaches top_p (Hugging Face keeps the token that crosses).
  if (params_.top_p < 1.0f) {
    double mass = 0;
    size_t n = 0;
    while (n < keep) {
      mass += probs_[n++];
      if (mass >= params_.top_p) break;
    }
    keep = std::max<size_t>(n, 1);
  }
  // min-p: drop tokens less likely than min_p times the most likely one (candidates may be unsorted).
  if (params_.min_p > 0) {
    float floor = params_.min_p * *std::max_element(probs_.begin(), probs_.begin() + static_cast<std::ptrdiff_t>(keep));
    size_t n = 0;
    for (size_t i = 0; i < keep; ++i) {
      if (probs_[i] < floor) continue;
      order_[n] = order_[i];
      probs_[n++] = probs_[i];
    }
    keep = n;
  }
  double mass = 0;
  for (size_t i = 0; i < keep; ++i) mass += probs_[i];
  double target = std::uniform_real_distribution<double>(0.0, mass)(rng_);
  double acc = 0;
  for (size_t i = 0; i < keep; ++i) {
    acc += probs_[i];
    if (target < acc) return order_[i];
  }
  return order_[keep - 1];
}

}  // namespace ragrt::generate
