// POST /v1/completions: OpenAI's text completions over the config's pipelines. The prompt is the
// question of a one-message conversation (an llm pipeline takes it raw, without a chat template);
// the answer comes back as `text`, whole or streamed, with ragrt's citations and trace id.
#include <fmt/format.h>

#include "server/answer_stream.h"
#include "server/chat_json.h"
#include "server/http_error.h"
#include "server/server_context.h"

namespace ragrt::server {
namespace {

json text_choice(const std::string& text, const json& finish_reason) {
  return json::array({{{"text", text}, {"index", 0}, {"logprobs", nullptr}, {"finish_reason", finish_reason}}});
}

json head(const CompletionHeader& h) {
  return {{"id", h.id}, {"object", "text_completion"}, {"created", h.created}, {"model", h.model},
          {"system_fingerprint", h.config_version}};
}

json whole_completion(const CompletionHeader& h, const PipelineResult& r) {
  json out = head(h);
  out["choices"] = text_choice(r.answer, to_string(r.finish_reason));
  out["usage"] = usage_json(r);
  json citations = json::array();
  for (const auto& c : r.citations) citations.push_back(citation_json(c));
  out["citations"] = citations;
  out["trace_id"] = r.trace_id;
  return out;
}

StreamWire completion_wire(const CompletionHeader& header) {
  StreamWire w;
  w.piece = [header](const std::string& p) {
    json e = head(header);
    e["choices"] = text_choice(p, nullptr);
    return e;
  };
  w.closing = [header](const PipelineResult& r) {
    json finish = head(header);
    finish["choices"] = text_choice("", to_string(r.finish_reason));
    json last = whole_completion(header, r);
    last["choices"] = json::array();
    return std::vector<json>{finish, last};
  };
  return w;
}

ChatCall parse_completion_request(const json& body, const ServerParams& params, const ComponentGraph& graph) {
  JsonObject o(body, "");
  o.only_keys({"model", "prompt", "suffix", "echo", "best_of", "stream", "stream_options", "temperature", "top_p",
               "max_tokens", "seed", "stop", "n", "user", "frequency_penalty", "presence_penalty", "logit_bias",
               "logprobs", "session", "retriever", "passages"});
  ChatCall call;
  call.model = o.string("model");
  call.pipeline = pipeline_of_model(call.model, graph);
  const json& prompt = o.at("prompt");
  std::string text;
  if (prompt.is_string()) {
    text = prompt.get<std::string>();
  } else if (prompt.is_array() && prompt.size() == 1 && prompt[0].is_string()) {
    text = prompt[0].get<std::string>();
  } else {
    bad_request("prompt", "'prompt' must be a string (or an array of one string; batches of prompts and token ids are "
                          "not supported)");
  }
  if (text.empty()) bad_request("prompt", "'prompt' is empty");
  if (o.has("suffix")) bad_request("suffix", "'suffix' (fill in the middle) is not supported");
  if (o.boolean("echo").value_or(false)) bad_request("echo", "'echo' is not supported: the prompt is not repeated");
  if (o.count("best_of", 1, 1'000).value_or(1) > 1) bad_request("best_of", "'best_of' above 1 is not supported");
  if (o.has("logprobs") && !o.at("logprobs").is_boolean() && o.count("logprobs", 0, 5).value_or(0) > 0)
    bad_request("logprobs", "log probabilities are not returned by this server yet: leave 'logprobs' out");
  read_common_fields(o, call);
  call.request.messages = {{{"role", "user"}, {"content", text}}};
  if (graph.count_tokens(call.request.messages.back()) > params.max_prompt_tokens)
    bad_request("prompt", "the prompt has more than {} tokens (server.max_prompt_tokens)", params.max_prompt_tokens);
  if (graph.pipeline(call.pipeline).type() == "llm") call.request.raw_prompt = text;
  return call;
}

}  // namespace

void handle_completions(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::shared_ptr<const ComponentGraph> graph = ctx.live->current();
  ChatCall call = parse_completion_request(parse_json_body(req.body), settings_of(ctx).params, *graph);
  serve_answer(ctx, req, res, graph, std::move(call), {"cmpl-", completion_wire, whole_completion});
}

}  // namespace ragrt::server
