#pragma once
// `openai` generator: any server that speaks OpenAI's chat completions API (vLLM, TGI, llama.cpp
// server, SGLang, another ragrt, OpenAI itself). Requests go to {base_url}/chat/completions, or to
// {base_url}/completions when GenerationRequest::prompt is set (raw text, no chat template).
//
// Streaming (the default) delivers each piece of text to GenerationRequest::on_text as the server
// sends it. Transient failures (connection refused or reset, a timeout before the server answered,
// HTTP 429 and 5xx) are retried with exponential backoff, but never once text has reached on_text:
// the caller has shown it to someone, and a second answer would not continue the first.
//
// Errors (ragrt::Error): kInvalidArgument for a bad request or a 400/404/422 answer (the server's
// own message included), kIo when the server cannot be reached after the retries, rejects the key
// (401/403), keeps failing, stalls, or breaks the stream; kRuntime for answers that are not
// OpenAI-shaped. Stop strings and sampling are the server's business; they are passed through.
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "ragrt/generator.h"

namespace ragrt {

struct OpenAIGeneratorParams {
  // The API root, ending in the version segment: "http://localhost:8000/v1",
  // "https://api.openai.com/v1". http or https only; no user:password@, query or fragment (put
  // credentials in api_key_env or headers).
  std::string base_url;
  // Sent as "model" in every request. "" leaves it out (llama.cpp server and single-model vLLM
  // deployments serve their one model anyway).
  std::string model;
  // Name of the environment variable holding the API key, e.g. "OPENAI_API_KEY"; it is read once,
  // at construction, and sent as "Authorization: Bearer <key>". "" = no authentication. The key
  // never appears in messages, logs or description().
  std::string api_key_env;
  // Seconds allowed to establish the TCP (and TLS) connection.
  double connect_timeout_s = 5;
  // Seconds allowed for one whole attempt, connection to last byte.
  double timeout_s = 120;
  // While streaming: seconds without a single byte from the server, once it has started
  // answering, after which the stream counts as stalled. Not used when stream is false (a
  // non-streaming server is silent until it has the whole answer).
  double idle_timeout_s = 30;
  // Further attempts after a transient failure (0 = try once).
  int max_retries = 2;
  // Seconds before the first retry, doubled for each further one. A Retry-After header of up to
  // 60 s (seconds or an HTTP date) replaces the computed wait.
  double retry_backoff_s = 0.5;
  // Ask for server-sent events ("stream": true, with usage in the last event); false waits for
  // one JSON answer and delivers its text to on_text in one piece.
  bool stream = true;
  // Extra request headers, sent as given (e.g. {"OpenAI-Organization", "org-…"} or an API
  // gateway's key). Values are never logged; names and values must not contain CR or LF.
  std::map<std::string, std::string> headers;
  // Bytes of response body one request may receive (events included); beyond it the request
  // fails with kIo rather than buffering without bound.
  size_t max_response_bytes = 8 * 1024 * 1024;
};

// Validates the parameters (throws ragrt::Error kInvalidArgument naming the field at fault) and
// reads the API key. The generator is thread-safe: each generate() call has its own connection.
std::unique_ptr<Generator> make_openai_generator(const OpenAIGeneratorParams& params);

}  // namespace ragrt
