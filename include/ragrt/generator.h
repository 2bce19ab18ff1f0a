#pragma once
// The answer generator: turns a conversation (plus, for RAG, the passages it may cite) into text,
// streamed as it forms. Implementations: `onnx` (a local decoder LLM on ONNX Runtime, batched),
// `openai` (any OpenAI-compatible server over HTTP) and `extractive` (no LLM: the best sentences
// of the passages, with citations).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/document.h"

namespace ragrt {

// One message in OpenAI's chat shape: {"role": "user", "content": "…"} plus, where present,
// "tool_calls", "tool_call_id", "name" or model-specific fields (Qwen3 reads "reasoning_content").
// JSON because chat templates may read any field; ordered, because templates print objects (tool
// schemas, tool call arguments) with tojson in the order they hold their keys.
using ChatMessage = nlohmann::ordered_json;

// What a request sets; anything left unset takes the generator's default (for a local model, its
// generation_config.json, then the values below).
struct SamplingParams {
  std::optional<bool> do_sample;            // false: greedy, and temperature/top-k/top-p/min-p do nothing
  std::optional<float> temperature;         // default 1.0; 0 means greedy
  std::optional<size_t> top_k;              // default 0 (off)
  std::optional<float> top_p;               // default 1.0 (off)
  std::optional<float> min_p;               // default 0.0 (off)
  std::optional<float> repetition_penalty;  // default 1.0 (off); CTRL-style, over prompt and output
  // OpenAI's, over the output so far: a token's logit drops by frequency_penalty times the times
  // it was generated, and by presence_penalty once it was; each in [-2, 2], default 0 (off).
  std::optional<float> frequency_penalty;
  std::optional<float> presence_penalty;
  // OpenAI's logit_bias: added to a token's logit (token id -> [-100, 100]); -100 bans it.
  std::map<int32_t, float> logit_bias;
  std::optional<uint64_t> seed;             // same seed, same request: same output
  std::optional<size_t> max_new_tokens;     // default 256
  std::vector<std::string> stop;            // stop strings, matched on decoded text; not part of the output

  // These values, each unset one (and an empty stop list) taken from `defaults`.
  SamplingParams with_defaults(const SamplingParams& defaults) const;
};

// A passage the answer may cite. The pipeline numbers them (`id` "1", "2", …) and puts them into
// the prompt for LLM generators; the extractive generator composes its answer from them directly.
struct ContextPassage {
  std::string id;
  std::string text;
  // "document"; "tool" for a tool's result: the live data the question asked for, which the
  // extractive generator always quotes first; "notice" for what the customer must be told and no
  // source backs (a lookup that failed: "I cannot look up your order right now…"): said first,
  // never cited, and given to an LLM as an instruction rather than a numbered passage.
  std::string kind = "document";
  std::string source;   // document id or file
  std::string section;  // section path, "" when none
  std::optional<int> page;
  size_t start = 0, end = 0;  // byte offsets of `text` in the source document
  double score = 0;
  std::vector<TextRegion> regions;  // where a scan's lines lie on their pages (OCR); empty otherwise
};

struct GenerationRequest {
  std::vector<ChatMessage> messages;
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();  // OpenAI function definitions, for the template
  std::optional<std::string> prompt;               // raw prompt text: used as is, no chat template
  SamplingParams sampling;
  std::vector<ContextPassage> context;
  // Receives the output as it forms: only complete UTF-8 (a Chinese character or an emoji is never
  // split), and never text that may still turn out to be the start of a stop string. Called on the
  // generating thread; the concatenation of all calls equals GenerationResult::text.
  std::function<void(std::string_view)> on_text;
  // Set it (from any thread) to stop between two steps; the result then has kCancelled.
  std::shared_ptr<const std::atomic<bool>> cancel;
};

enum class FinishReason {
  kStop,       // end-of-sequence token or a stop string
  kLength,     // max_new_tokens reached
  kToolCalls,  // the model asked for tools (GenerationResult::tool_calls)
  kCancelled,
};
const char* to_string(FinishReason reason);  // "stop", "length", "tool_calls", "cancelled" (OpenAI's names)

struct GenerationResult {
  std::string text;
  FinishReason finish_reason = FinishReason::kStop;
  // OpenAI-shaped tool calls [{"id", "type": "function", "function": {"name", "arguments"}}] when
  // the server returned them structured; empty array otherwise.
  nlohmann::ordered_json tool_calls = nlohmann::ordered_json::array();
  std::vector<std::string> citations;  // ids of the ContextPassages the answer cites, in order of first use
  size_t prompt_tokens = 0;
  size_t cached_prompt_tokens = 0;  // prompt tokens whose key/values came from the prefix cache
  size_t completion_tokens = 0;
  bool usage_estimated = false;  // the counts are estimates: a generator without a tokenizer
  // The generator said the context does not answer (the extractive refusal). LLM answers leave it
  // false; the pipeline judges them by their citations.
  bool refused = false;
  double time_to_first_token_ms = 0;
  double total_ms = 0;
};

// What a generator with a scheduler (the local engine) reports for /metrics.
struct BatchingStats {
  uint64_t steps = 0;  // decode steps run
  uint64_t rows = 0;   // sum of the batch sizes of those steps
  std::vector<uint64_t> steps_by_batch_size;  // [n]: steps that decoded n sequences together
  size_t active = 0;  // sequences being decoded now
  size_t queued = 0;  // waiting for a place in the batch
};

class Generator {
 public:
  virtual ~Generator() = default;
  virtual std::string description() const = 0;  // e.g. "onnx llama (models/qwen3-0.6b, cpu)"
  // false for generators that compose rather than write (extractive): the agent then picks tools
  // by rules instead of asking the model.
  virtual bool is_llm() const { return true; }
  // true when GenerationRequest::tools reach the model (an OpenAI server, a chat template that
  // renders tools), so the agent uses function calling rather than the ReAct text protocol.
  virtual bool native_tool_calls() const { return false; }
  // Thread-safe: several requests may run at once (the local engine batches them). Throws
  // ragrt::Error with kInvalidArgument for a bad request (no messages, a message without a role,
  // invalid UTF-8), kIo when a remote server cannot be reached after the retries, kRuntime otherwise.
  virtual GenerationResult generate(const GenerationRequest& request) = 0;
  // nullopt for generators that do not batch (extractive, remote servers).
  virtual std::optional<BatchingStats> batching_stats() const { return std::nullopt; }
};

}  // namespace ragrt
