#pragma once
// OpenAI's chat completion shapes: the request read into a PipelineRequest, the answer written
// back as a chat.completion or as chat.completion.chunk events, with ragrt's `citations` and
// `trace_id` added.
#include <cstdint>
#include <string>
#include <string_view>

#include "ragrt/component_graph.h"
#include "ragrt/pipeline.h"
#include "ragrt/server.h"
#include "server/json_body.h"

namespace ragrt::server {

struct ChatCall {
  std::string model;     // as the client named it (echoed back)
  std::string pipeline;  // "" for `default`
  PipelineRequest request;
  bool stream = false;
};

// Validates the body (400 naming the field) and resolves `model` against the graph's pipelines
// (404 listing them).
ChatCall parse_chat_request(const json& body, const ServerParams& params, const ComponentGraph& graph);

// The citation as the server and `ragrt ask --json` print it.
json citation_json(const Citation& c);

// The parts every completion and chunk of one response share.
struct CompletionHeader {
  std::string id;  // chatcmpl-… (cmpl-… for text completions)
  int64_t created = 0;
  std::string model;
  std::string config_version;  // as system_fingerprint: which config answered
};
CompletionHeader new_completion_header(const std::string& model, const ComponentGraph& graph,
                                       const std::string& id_prefix = "chatcmpl-");
// `model` as a pipeline name ("" for `default`); 404 listing the pipelines otherwise.
std::string pipeline_of_model(const std::string& model, const ComponentGraph& graph);
// OpenAI's optional fields that both chat and text completions take (penalties, logit_bias,
// logprobs, response_format, service fields); see chat_json.cpp.
void read_openai_extras(JsonObject& o, SamplingParams& s);
// What chat and text completions share: stream, stream_options, n, sampling (with the extras),
// session, user, retriever, passages.
void read_common_fields(JsonObject& o, ChatCall& call);

json completion_json(const CompletionHeader& h, const PipelineResult& r);
json usage_json(const PipelineResult& r);
// A chunk with one choice: `delta` and finish_reason (null when empty).
json chunk_json(const CompletionHeader& h, json delta, const std::string& finish_reason = "");
// The last chunk before [DONE]: no choices (OpenAI's include_usage shape), usage, citations, trace_id.
json final_chunk_json(const CompletionHeader& h, const PipelineResult& r);

}  // namespace ragrt::server
