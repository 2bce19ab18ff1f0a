#pragma once
// Picks the next token from one row of logits, with Hugging Face's processors in Hugging Face's
// order: repetition penalty, then OpenAI's frequency and presence penalties and logit bias, then
// (when sampling) temperature, top-k, top-p, min-p.
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <vector>

#include "ragrt/generator.h"

namespace ragrt::generate {

// SamplingParams with every default filled in.
struct ResolvedSampling {
  bool do_sample = false;
  float temperature = 1.0f;
  size_t top_k = 0;
  float top_p = 1.0f;
  float min_p = 0.0f;
  float repetition_penalty = 1.0f;
  float frequency_penalty = 0.0f, presence_penalty = 0.0f;
  std::map<int32_t, float> logit_bias;
  uint64_t seed = 0;
  size_t max_new_tokens = 256;
  std::vector<std::string> stop;

  // OpenAI's penalties or a logit bias are set: the next token needs the full row of logits even
  // when it is chosen greedily (the engine's screened argmax does not see them).
  bool adjusts_logits() const { return frequency_penalty != 0 || presence_penalty != 0 || !logit_bias.empty(); }
  bool needs_logits() const { return do_sample || adjusts_logits(); }
};

// Request values over model defaults (generation_config.json) over the built-in defaults; a
// temperature of 0 means greedy; an unset seed draws one. Throws ragrt::Error (kInvalidArgument)
// naming the field for out-of-range values (temperature < 0, top_p outside (0, 1], min_p outside
// [0, 1], repetition_penalty <= 0, frequency/presence penalties outside [-2, 2], a logit bias outside
// [-100, 100], max_new_tokens 0).
ResolvedSampling resolve_sampling(const SamplingParams& request, const SamplingParams& model_defaults);

class Sampler {
 public:
  explicit Sampler(const ResolvedSampling& params);
  // `logits` is modified in place. `history` holds the prompt and the tokens generated so far
  // (what the repetition penalty looks at); `generated`, those generated (OpenAI's penalties).
  int32_t next(std::span<float> logits, std::span<const int32_t> history, std::span<const int32_t> generated = {});

 private:
  int32_t sample(std::span<const float> logits);

  ResolvedSampling params_;
  std::mt19937_64 rng_;
  std::vector<int32_t> order_;  // scratch: candidate token ids
  std::vector<float> probs_;    // scratch
  std::vector<double> weights_;  // scratch: exp((logit - max) / temperature) by token id
};

}  // namespace ragrt::generate
