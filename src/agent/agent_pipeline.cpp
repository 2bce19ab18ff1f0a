// agent: retrieve, let the model (or, without an LLM, the routing rules) call tools, then answer
// from tool results and passages together, citing both.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "agent/pipelines.h"
#include "agent/rag_turn.h"
#include "agent/tool_call_parser.h"
#include "agent/tool_messages.h"
#include "agent/tool_passage.h"
#include "agent/tool_router.h"
#include "ingest/source_bytes.h"
#include "ragrt/error.h"
#include "ragrt/rag_prompt.h"
#include "text/language.h"
#include "tools/tool_set.h"

namespace ragrt::agent {
namespace {

using json = nlohmann::ordered_json;

// Cancels a model turn when it runs past the step timeout, or when the request is cancelled.
class StepDeadline {
 public:
  StepDeadline(std::chrono::milliseconds timeout, std::shared_ptr<const std::atomic<bool>> outer)
      : flag_(std::make_shared<std::atomic<bool>>(false)) {
    watcher_ = std::thread([this, timeout, outer] {
      std::unique_lock lock(mutex_);
      const auto until = std::chrono::steady_clock::now() + timeout;
      while (!done_) {
        if (outer && outer->load()) break;
        if (wake_.wait_until(lock, std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(50))) ==
                std::cv_status::timeout &&
            std::chrono::steady_clock::now() >= until) {
          expired_ = true;
          break;
        }
      }
      if (!done_) flag_->store(true);
    });
  }
  ~StepDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    watcher_.join();
  }
  std::shared_ptr<const std::atomic<bool>> flag() const { return flag_; }
  bool expired() const {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false, expired_ = false;
  std::thread watcher_;
};

const char* kToolInstructions =
    "You are a customer-service assistant. When the question needs live data (an order, an account), call "
    "the matching tool with arguments taken from the question. When you have what you need, or no tool "
    "fits, reply without calling a tool.";

std::string react_instructions(const json& specs) {
  std::string out =
      "Answer the question. You may use these tools:\n";
  for (const auto& s : specs) {
    out += fmt::format("- {}: {} Arguments (JSON Schema): {}\n", s["function"]["name"].get<std::string>(),
                       s["function"].value("description", ""), s["function"]["parameters"].dump());
  }
  out +=
      "\nTo use a tool, reply exactly:\nAction: TOOL_NAME\nAction Input: {\"argument\": \"value\"}\n"
      "Then wait for the Observation. When you know enough, reply:\nFinal Answer: your answer";
  return out;
}

// A call to a tool the request marked down, as an outage would come back.
ToolResult drill_outage() {
  ToolResult r;
  r.status = ToolStatus::kFailed;
  r.outcome = ToolOutcome::kUnavailable;
  r.content = "the tool is marked unavailable for this request (PipelineRequest::unavailable_tools)";
  tools::ToolSet::classify(r, nlohmann::json::object());
  return r;
}

class AgentPipeline final : public Pipeline {
 public:
  AgentPipeline(std::string name, AgentParams params) : name_(std::move(name)), params_(std::move(params)) {}
  std::string type() const override { return "agent"; }
  const std::string& name() const override { return name_; }

  PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const override {
    PipelineResult result;
    result.pipeline = name_;
    const Turn turn = read_turn(request, graph);
    const std::string language = text::language_of(turn.question);
    std::vector<const Tool*> tools;
    const std::vector<std::string> own = params_.tools.empty() ? graph.tools().names() : params_.tools;
    for (const std::string& n : request.tools.value_or(own)) {
      RAGRT_THROW_IF_NOT_KIND(std::find(own.begin(), own.end(), n) != own.end(), ErrorKind::kInvalidArgument,
                              "tools: '{}' is not a tool of pipeline '{}' (its tools: {})", n, name_, fmt::join(own, ", "));
      tools.push_back(graph.tools().find(n).get());
    }

    ToolProtocol protocol = params_.protocol;
    if (protocol == ToolProtocol::kAuto) {
      protocol = !graph.generator().is_llm()          ? ToolProtocol::kRules
                 : graph.generator().native_tool_calls() ? ToolProtocol::kFunctionCalling
                                                         : ToolProtocol::kReact;
    }
    const size_t k = request.passages.value_or(params_.rag.passages.value_or(graph.config().generator.context_passages));
    const std::string retriever = request.retriever.empty() ? params_.rag.retriever : request.retriever;
    std::vector<ContextPassage> retrieved;
    if (!tools.empty()) {
      auto span = child_span(request.span.get(), "tools");
      if (span) span->set("protocol", protocol == ToolProtocol::kRules ? "rules"
                                      : protocol == ToolProtocol::kReact ? "react" : "function_calling");
      if (protocol == ToolProtocol::kRules) {
        std::vector<RoutedCall> calls = route_tools(turn.question, tools, params_.route);
        if (calls.empty() && refers_back(turn.question)) {
          // "And when will it arrive?": the order of the previous question.
          for (auto m = turn.history.rbegin(); m != turn.history.rend(); ++m) {
            if (m->value("role", "") != "user" || !(*m)["content"].is_string()) continue;
            calls = route_tools((*m)["content"].get<std::string>(), tools, params_.route);
            if (span && !calls.empty()) span->set("follow_up", true);
            break;
          }
        }
        for (auto& call : calls) {
          run_tool(graph, call.tool, call.arguments, request, span.get(), result);
        }
      } else {
        // The model decides with the passages in front of it, so that an answer it gives without
        // a tool is grounded and final: one call to decide, at most one more to answer.
        retrieved = retrieve(graph, turn.question, retriever, k, 1, request.span.get(), result);
        std::optional<GenerationResult> final_answer =
            model_picks_tools(graph, request, turn, tools, protocol, retrieved, span.get(), result);
        if (final_answer) {
          if (span) {
            span->set("calls", 0);
            span->end();
          }
          finish_answer(graph, request, turn, std::move(retrieved), *final_answer, result);
          return result;
        }
      }
      if (span) {
        span->set("calls", result.tool_calls.size());
        span->end();
      }
    }

    // Tool results first: they are the live data the question asked for; a call that failed is
    // what the customer is told instead, in the question's language.
    std::vector<ContextPassage> passages;
    size_t numbered = 0;
    std::string found;  // the successful results' text: documents that explain it are wanted too
    for (const auto& call : result.tool_calls) {
      const auto tool = graph.tools().find(call.name);  // null when the model named no such tool
      if (call.result.outcome == ToolOutcome::kOk) {
        passages.push_back(tool_passage(call, std::to_string(++numbered), tool ? tool->spec().summary : LocalizedText(),
                                        language));
        found += " " + passages.back().text;
        continue;
      }
      ContextPassage notice;
      notice.id = "notice:" + call.name;
      notice.kind = "notice";
      notice.source = "tool:" + call.name;
      notice.text = customer_message(tool ? &tool->spec() : nullptr, call.result.outcome,
                                     call.arguments.is_object() ? call.arguments : nlohmann::json::object(), language);
      passages.push_back(std::move(notice));
      if (is_tool_failure(call.result.outcome)) result.degraded = true;
    }
    if (protocol == ToolProtocol::kRules || tools.empty()) {
      retrieved = retrieve(graph, turn.question + found, retriever, k, numbered + 1, request.span.get(), result);
    } else {
      for (auto& p : retrieved) p.id = std::to_string(std::stoul(p.id) + numbered);
    }
    std::move(retrieved.begin(), retrieved.end(), std::back_inserter(passages));
    answer(graph, request, turn, std::move(passages), request.span.get(), result);
    return result;
  }

 private:
  void run_tool(const ComponentGraph& graph, const std::string& name, const nlohmann::json& arguments,
                const PipelineRequest& request, TraceSpan* parent, PipelineResult& result) const {
    auto span = child_span(parent, "tool:" + name);
    ToolCallOptions options;
    options.cancel = request.cancel;
    options.timeout = params_.step_timeout;
    const bool down = std::find(request.unavailable_tools.begin(), request.unavailable_tools.end(), name) !=
                      request.unavailable_tools.end();
    ToolCallRecord record{name, arguments, down ? drill_outage() : graph.tools().call(name, arguments, options)};
    const ToolResult& r = record.result;
    if (span) {
      span->set("arguments", json::parse(arguments.dump()));
      span->set("status", to_string(r.status));
      span->set("outcome", to_string(r.outcome));
      if (r.http_status) span->set("http_status", r.http_status);
      span->set("bytes", r.bytes);
      span->set("attempts", r.attempts);
      span->set("latency_ms", r.latency_ms);
      if (!r.ok()) span->fail(r.detail.empty() ? r.content : r.detail);
      span->end();
    }
    result.tool_calls.push_back(std::move(record));
  }

  // The decision call: the model either calls tools (run here, their results kept in `result`)
  // or answers; its answer is returned, unshown, to be the turn's answer.
  std::optional<GenerationResult> model_picks_tools(const ComponentGraph& graph, const PipelineRequest& request,
                                                    const Turn& turn, const std::vector<const Tool*>& tools,
                                                    ToolProtocol protocol, const std::vector<ContextPassage>& passages,
                                                    TraceSpan* parent, PipelineResult& result) const {
    json specs = json::array();
    for (const Tool* t : tools) specs.push_back(t->spec().to_openai());
    const GeneratorConfig& gc = graph.config().generator;
    const std::string instructions = protocol == ToolProtocol::kReact ? react_instructions(specs) : std::string(kToolInstructions);
    std::vector<ChatMessage> messages = rag_messages(
        turn.question, passages, instructions + "\n\n" + (gc.system_prompt.empty() ? default_rag_instructions() : gc.system_prompt),
        turn.history);

    auto span = child_span(parent, "model_step:1");
    GenerationRequest g;
    g.messages = messages;
    g.context = passages;
    if (protocol == ToolProtocol::kFunctionCalling) g.tools = specs;
    g.sampling = request.sampling.with_defaults(gc.sampling);
    if (protocol == ToolProtocol::kReact) g.sampling.stop.push_back("\nObservation");
    StepDeadline deadline(params_.step_timeout, request.cancel);
    g.cancel = deadline.flag();
    GenerationResult out = generate_counted(graph, g, span.get(), result);
    json calls = !out.tool_calls.empty() ? out.tool_calls : parse_tool_calls(out.text);
    if (span) {
      span->set("prompt_tokens", out.prompt_tokens);
      span->set("completion_tokens", out.completion_tokens);
      span->set("tool_calls", calls.size());
      if (deadline.expired()) span->fail(fmt::format("step timed out after {} ms", params_.step_timeout.count()));
      span->end();
    }
    if (request.cancel && request.cancel->load()) return out;
    if (deadline.expired()) return std::nullopt;  // no decision in time: answer from the passages
    if (calls.empty()) {
      if (protocol == ToolProtocol::kReact) {
        // "Final Answer: …" is the protocol's frame, not the answer.
        if (auto p = out.text.find("Final Answer:"); p != std::string::npos)
          out.text = std::string(ingest::trim_ascii(std::string_view(out.text).substr(p + 13)));
      }
      return out;
    }
    size_t made = 0;
    for (const auto& call : calls) {
      if (made++ == params_.max_steps) break;
      const std::string name = call["function"]["name"].get<std::string>();
      const std::string raw = call["function"]["arguments"].get<std::string>();
      nlohmann::json arguments = nlohmann::json::parse(raw, nullptr, false);
      if (arguments.is_discarded()) arguments = raw;  // the tool set answers with the parse error
      run_tool(graph, name, arguments, request, parent, result);
    }
    return std::nullopt;
  }

  std::string name_;
  AgentParams params_;
};

}  // namespace

std::shared_ptr<Pipeline> make_agent_pipeline(std::string name, AgentParams params) {
  return std::make_shared<AgentPipeline>(std::move(name), std::move(params));
}

}  // namespace ragrt::agent
