#include "ingest/text_region_json.h"
#include "server/chat_json.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "server/http_error.h"
#include "tools/tool_set.h"

namespace ragrt::server {
namespace {

const std::vector<std::string> kRoles = {"system", "developer", "user", "assistant", "tool"};

// OpenAI content: a string, or text parts [{type: text, text}] joined; null for an assistant turn
// that only called tools.
std::string read_content(const JsonObject& m, const std::string& role) {
  if (!m.has("content")) {
    if (role == "assistant") return "";
    m.at("content");  // 400: missing
  }
  const json& c = m.at("content");
  if (c.is_string()) return c.get<std::string>();
  if (!c.is_array())
    bad_request(m.field("content"), "'{}' must be a string or an array of text parts", m.field("content"));
  std::string text;
  for (size_t i = 0; i < c.size(); ++i) {
    JsonObject part(c[i], json_path(m.field("content"), i));
    part.only_keys({"type", "text"});
    if (part.string("type") != "text")
      bad_request(part.field("type"), "'{}': only text parts are supported, got '{}'", part.field("type"),
                  part.string("type"));
    text += part.string("text");
  }
  return text;
}

ChatMessage read_message(const json& value, const std::string& path) {
  JsonObject m(value, path);
  m.only_keys({"role", "content", "name", "tool_calls", "tool_call_id"});
  const std::string role = m.string("role");
  if (std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end())
    bad_request(m.field("role"), "'{}' must be one of {}, got '{}'", m.field("role"), fmt::join(kRoles, ", "), role);
  ChatMessage out = {{"role", role == "developer" ? "system" : role}, {"content", read_content(m, role)}};
  if (auto name = m.optional_string("name")) out["name"] = *name;
  if (auto id = m.optional_string("tool_call_id")) out["tool_call_id"] = *id;
  if (m.has("tool_calls")) {
    if (!m.at("tool_calls").is_array()) bad_request(m.field("tool_calls"), "'{}' must be an array", m.field("tool_calls"));
    out["tool_calls"] = m.at("tool_calls");
  }
  return out;
}

std::string random_hex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  while (out.size() < digits) out += fmt::format("{:016x}", rng());
  return out.substr(0, digits);
}

// One entry of `tools`: {type: function, function: {name, description?, parameters?, strict?}};
// its `function` object, its name checked to be a string.
JsonObject function_of_tool(const json& tool, const std::string& path) {
  JsonObject t(tool, path);
  t.only_keys({"type", "function"});
  if (t.optional_string("type").value_or("function") != "function")
    bad_request(t.field("type"), "only tools of type 'function' are supported");
  JsonObject f(t.at("function"), t.field("function"));
  f.only_keys({"name", "description", "parameters", "strict"});
  f.string("name");
  return f;
}

// The client's tools as sent (each checked to be a function with a name), and tool_choice: none
// hides them, one function keeps only it.
void read_client_tools(const JsonObject& o, PipelineRequest& request) {
  if (o.has("tools")) {
    const json& tools = o.at("tools");
    if (!tools.is_array()) bad_request("tools", "'tools' must be an array of {{type: function, function: {{name}}}}");
    if (tools.size() > 128) bad_request("tools", "'tools' takes at most 128 functions");
    for (size_t i = 0; i < tools.size(); ++i) {
      const JsonObject f = function_of_tool(tools[i], json_path("tools", i));
      if (f.has("parameters") && !f.at("parameters").is_object())
        bad_request(f.field("parameters"), "'{}' must be a JSON Schema object", f.field("parameters"));
      request.client_tools.push_back(nlohmann::ordered_json::parse(tools[i].dump()));
    }
  }
  if (o.has("parallel_tool_calls")) o.boolean("parallel_tool_calls");
  if (!o.has("tool_choice")) return;
  const json& choice = o.at("tool_choice");
  if (choice.is_string()) {
    const std::string c = choice.get<std::string>();
    if (c == "none") request.client_tools = nlohmann::ordered_json::array();
    else if (c != "auto" && c != "required")
      bad_request("tool_choice", "'tool_choice' is 'auto', 'required', 'none' or {{type: function, function: {{name}}}}");
    return;
  }
  JsonObject c(choice, "tool_choice");
  c.only_keys({"type", "function"});
  JsonObject f(c.at("function"), c.field("function"));
  f.only_keys({"name"});
  const std::string name = f.string("name");
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (const auto& t : request.client_tools)
    if (t["function"]["name"] == name) kept.push_back(t);
  if (kept.empty()) bad_request("tool_choice.function.name", "'{}' is not one of the request's tools", name);
  request.client_tools = kept;
}

// OpenAI's `tools` (function definitions) and `tool_choice`. For an `llm` pipeline they are the
// client's own tools, shown to the model as sent. For the others they pick which of the
// pipeline's configured tools this request may call: those run on the server, so their
// definitions come from the config and only the names are used here.
void read_tools(const JsonObject& o, PipelineRequest& request, const ComponentGraph& graph, const std::string& pipeline) {
  const bool client_side = graph.pipeline(pipeline).type() == "llm";
  if (client_side) {
    read_client_tools(o, request);
    return;
  }
  if (o.has("tools")) {
    const json& tools = o.at("tools");
    if (!tools.is_array()) bad_request("tools", "'tools' must be an array of {{type: function, function: {{name}}}}");
    std::vector<std::string> names;
    for (size_t i = 0; i < tools.size(); ++i) {
      const JsonObject f = function_of_tool(tools[i], json_path("tools", i));
      names.push_back(f.string("name"));
      const std::vector<std::string> configured = graph.tools().names();
      if (std::find(configured.begin(), configured.end(), names.back()) == configured.end()) {
        std::vector<std::string> llm;
        for (const auto& p : graph.pipeline_names())
          if (graph.pipeline(p).type() == "llm") llm.push_back(p);
        bad_request(f.field("name"),
                    "no tool '{}' on this server (configured: {}); tools that the client runs itself are served by "
                    "a pipeline of type llm ({})",
                    names.back(), fmt::join(configured, ", "),
                    llm.empty() ? "this config has none" : fmt::format("model: {}", fmt::join(llm, " or ")));
      }
    }
    request.tools = names;
  }
  if (o.has("parallel_tool_calls")) o.boolean("parallel_tool_calls");
  if (!o.has("tool_choice")) return;
  const json& choice = o.at("tool_choice");
  if (choice.is_string()) {
    const std::string c = choice.get<std::string>();
    if (c == "none") request.tools = std::vector<std::string>{};
    else if (c != "auto") bad_request("tool_choice", "'tool_choice' is 'auto', 'none' or {{type: function, function: {{name}}}}");
    return;
  }
  JsonObject c(choice, "tool_choice");
  c.only_keys({"type", "function"});
  JsonObject f(c.at("function"), c.field("function"));
  f.only_keys({"name"});
  request.tools = std::vector<std::string>{f.string("name")};
}

}  // namespace

// The OpenAI fields beyond the basics: those that change the output are applied or refused with a
// reason; those about OpenAI's own service (store, metadata, service_tier, …) are accepted and
// ignored (README, "OpenAI compatibility").
void read_openai_extras(JsonObject& o, SamplingParams& s) {
  if (auto f = o.number("frequency_penalty", -2, 2)) s.frequency_penalty = static_cast<float>(*f);
  if (auto p = o.number("presence_penalty", -2, 2)) s.presence_penalty = static_cast<float>(*p);
  if (o.has("logit_bias") && !o.at("logit_bias").is_null()) {
    const json& bias = o.at("logit_bias");
    if (!bias.is_object()) bad_request("logit_bias", "'logit_bias' must be an object of token ids to numbers");
    if (bias.size() > 300) bad_request("logit_bias", "'logit_bias' takes at most 300 tokens");
    for (const auto& [id, value] : bias.items()) {
      const std::string field = "logit_bias." + id;
      if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos)
        bad_request(field, "logit_bias keys are token ids (whole numbers as strings), not '{}'", id);
      if (!value.is_number() || value.get<double>() < -100 || value.get<double>() > 100)
        bad_request(field, "'{}' must be a number from -100 to 100", field);
      s.logit_bias[std::stoi(id)] = value.get<float>();
    }
  }
  if (o.boolean("logprobs").value_or(false))
    bad_request("logprobs", "log probabilities are not returned by this server yet: leave 'logprobs' out or false");
  if (o.has("top_logprobs") && !o.at("top_logprobs").is_null() && o.count("top_logprobs", 0, 20).value_or(0) > 0)
    bad_request("top_logprobs", "log probabilities are not returned by this server yet: leave 'top_logprobs' out");
  if (o.has("response_format") && !o.at("response_format").is_null()) {
    JsonObject rf(o.at("response_format"), "response_format");
    const std::string type = rf.string("type");
    if (type != "text")
      bad_request("response_format.type",
                  "response_format '{}' is not supported by this server yet (constrained decoding is planned): use "
                  "'text' and ask for JSON in the prompt",
                  type);
  }
  if (o.has("modalities") && !o.at("modalities").is_null()) {
    for (const auto& m : o.strings("modalities").value_or(std::vector<std::string>{}))
      if (m != "text") bad_request("modalities", "this server answers in text only, not '{}'", m);
  }
  if (o.has("audio") && !o.at("audio").is_null()) bad_request("audio", "this server answers in text only: leave 'audio' out");
  if (o.has("functions") || o.has("function_call"))
    bad_request(o.has("functions") ? "functions" : "function_call",
                "'functions' and 'function_call' are OpenAI's deprecated form: send 'tools' and 'tool_choice'");
  if (auto m = o.has("metadata") ? &o.at("metadata") : nullptr; m && !m->is_null() && !m->is_object())
    bad_request("metadata", "'metadata' must be an object of strings");
}

void read_common_fields(JsonObject& o, ChatCall& call) {
  call.stream = o.boolean("stream").value_or(false);
  if (o.has("stream_options")) {
    JsonObject so(o.at("stream_options"), "stream_options");
    so.only_keys({"include_usage"});
    so.boolean("include_usage");  // usage is always sent in the last chunk
  }
  if (o.has("n") && !o.at("n").is_null() && o.count("n", 1, 128).value_or(1) > 1)
    bad_request("n", "this server returns one choice per request (n > 1 is not supported yet): send the request again "
                     "for another answer");
  SamplingParams& s = call.request.sampling;
  read_openai_extras(o, s);
  if (auto t = o.number("temperature", 0, 2)) s.temperature = static_cast<float>(*t);
  if (auto p = o.number("top_p", 0, 1)) s.top_p = static_cast<float>(*p);
  if (o.has("max_tokens") && o.has("max_completion_tokens"))
    bad_request("max_completion_tokens", "give max_tokens or max_completion_tokens, not both");
  if (auto m = o.count("max_tokens", 1, 1'000'000)) s.max_new_tokens = *m;
  if (auto m = o.count("max_completion_tokens", 1, 1'000'000)) s.max_new_tokens = *m;
  if (o.has("seed")) {
    const json& seed = o.at("seed");
    if (!seed.is_number_integer()) bad_request("seed", "'seed' must be an integer");
    s.seed = seed.is_number_unsigned() ? seed.get<uint64_t>() : static_cast<uint64_t>(seed.get<int64_t>());
  }
  if (auto stop = o.strings("stop")) {
    if (stop->size() > 16) bad_request("stop", "'stop' takes at most 16 strings");
    s.stop = *stop;
  }
  // `session` (ragrt; or the X-Session-Id header) names a conversation kept in memory. OpenAI's
  // `user` names the person, who may hold many conversations: it goes to the trace only.
  if (auto session = o.optional_string("session")) call.request.session = *session;
  if (auto user = o.optional_string("user")) call.request.user = *user;
  if (auto r = o.optional_string("retriever")) call.request.retriever = *r;
  call.request.passages = o.count("passages", 1, 1000);
}

ChatCall parse_chat_request(const json& body, const ServerParams& params, const ComponentGraph& graph) {
  JsonObject o(body, "");
  // OpenAI's request fields (clients send many by default), then ragrt's own. Anything else is a
  // 400 naming it, as OpenAI answers.
  o.only_keys({"model", "messages", "stream", "stream_options", "temperature", "top_p", "max_tokens",
               "max_completion_tokens", "seed", "stop", "n", "user", "frequency_penalty", "presence_penalty",
               "logit_bias", "logprobs", "top_logprobs", "response_format", "store", "metadata", "service_tier",
               "modalities", "audio", "prediction", "reasoning_effort", "verbosity", "web_search_options",
               "prompt_cache_key", "safety_identifier", "functions", "function_call", "tools", "tool_choice",
               "parallel_tool_calls", "session", "retriever", "passages"});
  ChatCall call;
  call.model = o.string("model");
  call.pipeline = pipeline_of_model(call.model, graph);
  const json& messages = o.at("messages");
  if (!messages.is_array() || messages.empty()) bad_request("messages", "'messages' must be a non-empty array");
  if (messages.size() > params.max_messages)
    bad_request("messages", "'messages' has {} messages; this server takes at most {} (server.max_messages)",
                messages.size(), params.max_messages);
  size_t tokens = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    call.request.messages.push_back(read_message(messages[i], json_path("messages", i)));
    tokens += graph.count_tokens(call.request.messages.back());
  }
  if (tokens > params.max_prompt_tokens)
    bad_request("messages", "the messages have {} tokens; this server takes at most {} (server.max_prompt_tokens)", tokens,
                params.max_prompt_tokens);

  read_common_fields(o, call);
  read_tools(o, call.request, graph, call.pipeline);
  return call;
}

json citation_json(const Citation& c) {
  return {{"id", c.id},
          {"kind", c.kind},
          {"source", c.source},
          {"section", c.section},
          {"page", c.page ? json(*c.page) : json(nullptr)},
          {"begin", c.start},
          {"end", c.end},
          {"text", c.text},
          {"regions", ingest::regions_to_json(c.regions)}};
}

std::string pipeline_of_model(const std::string& model, const ComponentGraph& graph) {
  if (model == "default") return "";
  const std::vector<std::string> names = graph.pipeline_names();
  if (std::find(names.begin(), names.end(), model) == names.end())
    throw HttpError(404, "not_found_error",
                    fmt::format("model '{}' does not exist: use one of this config's pipelines ({}) or 'default'", model,
                                fmt::join(names, ", ")),
                    "model", "model_not_found");
  return model;
}

CompletionHeader new_completion_header(const std::string& model, const ComponentGraph& graph,
                                       const std::string& id_prefix) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return {id_prefix + random_hex(24), std::chrono::duration_cast<std::chrono::seconds>(now).count(), model,
          graph.version()};
}

json usage_json(const PipelineResult& r) {
  return {{"prompt_tokens", r.prompt_tokens},
          {"completion_tokens", r.completion_tokens},
          {"total_tokens", r.prompt_tokens + r.completion_tokens}};
}

namespace {
json citations_of(const PipelineResult& r) {
  json out = json::array();
  for (const auto& c : r.citations) out.push_back(citation_json(c));
  return out;
}
}  // namespace

namespace {
// The fields every completion and chunk of one response begin with.
json head(const CompletionHeader& h, const char* object) {
  return {{"id", h.id}, {"object", object}, {"created", h.created}, {"model", h.model}, {"system_fingerprint", h.config_version}};
}
}  // namespace

json completion_json(const CompletionHeader& h, const PipelineResult& r) {
  json out = head(h, "chat.completion");
  json message = {{"role", "assistant"}, {"content", r.answer}};
  if (!r.model_tool_calls.empty()) {
    message["tool_calls"] = json::parse(r.model_tool_calls.dump());
    if (r.answer.empty()) message["content"] = nullptr;
  }
  out["choices"] = json::array({{{"index", 0}, {"message", message}, {"logprobs", nullptr},
                                 {"finish_reason", to_string(r.finish_reason)}}});
  out["usage"] = usage_json(r);
  out["citations"] = citations_of(r);
  out["trace_id"] = r.trace_id;
  return out;
}

json chunk_json(const CompletionHeader& h, json delta, const std::string& finish_reason) {
  json out = head(h, "chat.completion.chunk");
  out["choices"] = json::array({{{"index", 0},
                                 {"delta", std::move(delta)},
                                 {"logprobs", nullptr},
                                 {"finish_reason", finish_reason.empty() ? json(nullptr) : json(finish_reason)}}});
  return out;
}

json final_chunk_json(const CompletionHeader& h, const PipelineResult& r) {
  json out = head(h, "chat.completion.chunk");
  out["choices"] = json::array();
  out["usage"] = usage_json(r);
  out["citations"] = citations_of(r);
  out["trace_id"] = r.trace_id;
  return out;
}

}  // namespace ragrt::server
