#include "ragrt/generator.h"

namespace ragrt {

SamplingParams SamplingParams::with_defaults(const SamplingParams& defaults) const {
  SamplingParams out = *this;
  auto fill = [](auto& field, const auto& fallback) {
    if (!field) field = fallback;
  };
  fill(out.do_sample, defaults.do_sample);
  fill(out.temperature, defaults.temperature);
  fill(out.top_k, defaults.top_k);
  fill(out.top_p, defaults.top_p);
  fill(out.min_p, defaults.min_p);
  fill(out.repetition_penalty, defaults.repetition_penalty);
  fill(out.frequency_penalty, defaults.frequency_penalty);
  fill(out.presence_penalty, defaults.presence_penalty);
  if (out.logit_bias.empty()) out.logit_bias = defaults.logit_bias;
  fill(out.seed, defaults.seed);
  fill(out.max_new_tokens, defaults.max_new_tokens);
  if (out.stop.empty()) out.stop = defaults.stop;
  return out;
}

const char* to_string(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kToolCalls: return "tool_calls";
    case FinishReason::kCancelled: return "cancelled";
  }
  return "stop";
}

}  // namespace ragrt
