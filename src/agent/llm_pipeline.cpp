// llm: the bare generator, as a model server serves it (vLLM, llama.cpp server): the request's
// messages as they are, no retrieval, and the client's own tools shown to the model through its
// chat template; tool calls go back to the client, which runs them and sends the results as
// role "tool" messages.
#include "agent/pipelines.h"
#include "agent/rag_turn.h"
#include "agent/tool_call_parser.h"
#include "generate/chat_messages.h"
#include "ragrt/error.h"

namespace ragrt::agent {
namespace {

class LlmPipeline final : public Pipeline {
 public:
  explicit LlmPipeline(std::string name) : name_(std::move(name)) {}
  std::string type() const override { return "llm"; }
  const std::string& name() const override { return name_; }

  PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const override {
    RAGRT_THROW_IF_NOT_KIND(graph.generator().is_llm(), ErrorKind::kInvalidArgument,
                            "model: pipeline '{}' (llm) needs a language model, and this server's generator is {}: "
                            "set `generator: {{type: onnx, model: FOLDER}}` or `{{type: openai, base_url: …}}`",
                            name_, graph.generator().description());
    RAGRT_THROW_IF_NOT_KIND(!request.messages.empty(), ErrorKind::kInvalidArgument,
                            "the request has no messages: send at least one user message");
    generate::require_roles(request.messages);
    PipelineResult result;
    result.pipeline = name_;
    GenerationRequest g;
    const bool own_history = request.messages.size() > 1;
    if (!request.session.empty() && !own_history) {
      if (const ConversationMemory* memory = graph.memory()) {
        check_session_id(request.session);
        g.messages = memory->history(request.session, memory->params().max_tokens,
                                     [&](const ChatMessage& m) { return graph.count_tokens(m); });
      }
    }
    if (request.raw_prompt) {
      g.prompt = *request.raw_prompt;
      g.messages.clear();
    } else {
      g.messages.insert(g.messages.end(), request.messages.begin(), request.messages.end());
    }
    if (!request.client_tools.empty()) g.tools = request.client_tools;
    g.sampling = request.sampling.with_defaults(graph.config().generator.sampling);
    g.on_text = request.on_text;
    g.cancel = request.cancel;
    auto span = child_span(request.span.get(), "generate");
    if (span) {
      span->set("messages", g.messages.size());
      span->set("client_tools", request.client_tools.size());
    }
    const GenerationResult out = generate_counted(graph, g, span.get(), result);
    result.answer = out.text;
    result.finish_reason = out.finish_reason;
    result.generator = graph.generator().description();
    result.time_to_first_token_ms = out.time_to_first_token_ms;
    // A model without native tool calls writes them as text (Hermes <tool_call>, ReAct, JSON).
    nlohmann::ordered_json calls = out.tool_calls;
    if (calls.empty() && !request.client_tools.empty()) calls = parse_tool_calls(out.text);
    if (!calls.empty()) {
      result.model_tool_calls = calls;
      result.finish_reason = FinishReason::kToolCalls;
    }
    if (span) {
      span->set("prompt_tokens", out.prompt_tokens);
      span->set("completion_tokens", out.completion_tokens);
      span->set("tool_calls", result.model_tool_calls.size());
      span->set("finish_reason", to_string(result.finish_reason));
      span->end();
    }
    if (!request.session.empty() && graph.memory() && out.finish_reason != FinishReason::kCancelled) {
      ChatMessage reply = {{"role", "assistant"}, {"content", result.answer}};
      if (!result.model_tool_calls.empty()) reply["tool_calls"] = result.model_tool_calls;
      graph.memory()->append(request.session, {request.messages.back(), reply});
    }
    return result;
  }

 private:
  std::string name_;
};

}  // namespace

std::shared_ptr<Pipeline> make_llm_pipeline_from(const ComponentSpec& spec) {
  spec.reader->only_keys(spec.node, spec.key, {"type"});
  return std::make_shared<LlmPipeline>(spec.name);
}

}  // namespace ragrt::agent
